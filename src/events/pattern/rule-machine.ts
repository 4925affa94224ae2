import {
  type ArrayPlace,
  type EventLeaf,
  eventLeaves,
  joinPlaces,
  type LeavesByElement,
  leavesByElement,
  type PathTree,
  pathTree,
} from "./event-leaves.js";
import { FieldIndex } from "./field-index.js";
import type { Alternative } from "./pattern-compile.js";
import type { ValueMatcher } from "./value-matchers.js";

/** Out of one state on one field path: the path's values, each leading to the state after it. */
interface FieldTransition {
  readonly index: FieldIndex;
  /** The state a condition leads to, by the condition's canonical text: equal conditions share it. */
  readonly next: Map<string, number>;
}

interface State {
  /** The rules whose alternative ends here: reaching this state means they match. */
  readonly rules: unknown[];
  readonly fields: Map<string, FieldTransition>;
  /** `exists: false` steps: taken when the event has no leaf at the path. */
  readonly absent: Map<string, number>;
}

const newState = (): State => ({ rules: [], fields: new Map(), absent: new Map() });

type Step =
  | {
      readonly path: string;
      readonly absent: false;
      readonly key: string;
      readonly matchers: readonly ValueMatcher[];
    }
  | { readonly path: string; readonly absent: true; readonly key: string };

/** A condition's canonical text, so two rules asking the same of a field share one transition. */
function conditionKey(matchers: readonly ValueMatcher[]): string {
  return JSON.stringify(matchers.map((m) => JSON.stringify(m)).sort());
}

/**
 * All alternatives of all rules as one state machine, after AWS's event-ruler: an alternative is
 * its conditions sorted by field path, and alternatives that begin with the same conditions share
 * the states for them, so a condition many rules share is tested once. Matching walks from the
 * start state: at each state, the event's leaves on that state's paths find the next states by
 * lookups (FieldIndex), and every state reached is visited once.
 */
export class RuleMachine<Id> {
  private readonly states: State[] = [newState()];
  /** Every path some rule names, and their prefixes: all of an event that is read. */
  readonly keep = new Set<string>();
  private tree: PathTree | undefined;
  private seen = new Int32Array(0);
  private generation = 0;

  add(id: Id, alternative: Alternative, paths: ReadonlySet<string>): void {
    for (const p of paths) this.keep.add(p);
    this.tree = undefined;
    const steps: Step[] = [
      ...alternative.fields.map(
        (f) =>
          ({ path: f.path, absent: false, key: conditionKey(f.matchers), matchers: f.matchers }) as const,
      ),
      ...alternative.absent.map((path) => ({ path, absent: true, key: "" }) as const),
    ].sort((a, b) =>
      a.path < b.path ? -1 : a.path > b.path ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
    );
    let at = 0;
    for (const step of steps) {
      const state = this.states[at]!;
      if (step.absent) {
        let next = state.absent.get(step.path);
        if (next === undefined) {
          next = this.newState();
          state.absent.set(step.path, next);
        }
        at = next;
        continue;
      }
      let transition = state.fields.get(step.path);
      if (transition === undefined) {
        transition = { index: new FieldIndex(), next: new Map() };
        state.fields.set(step.path, transition);
      }
      let next = transition.next.get(step.key);
      if (next === undefined) {
        next = this.newState();
        transition.next.set(step.key, next);
        for (const m of step.matchers) transition.index.add(m, next);
      }
      at = next;
    }
    this.states[at]!.rules.push(id);
  }

  private newState(): number {
    this.states.push(newState());
    return this.states.length - 1;
  }

  /**
   * The rules the event matches, each once. A walk carries the array places of the leaves it
   * used, and takes no leaf from another element of an array it already used an element of.
   * Walks that used no element of an array (the usual case) visit each state once.
   */
  match(event: Record<string, unknown>): Id[] {
    if (this.seen.length !== this.states.length) this.seen = new Int32Array(this.states.length);
    if (++this.generation === 0x7fffffff) {
      this.generation = 1;
      this.seen.fill(0);
    }
    const gen = this.generation;
    this.tree ??= pathTree(this.keep);
    const leaves = eventLeaves(event, this.tree);
    const matched = new Set<Id>();
    const pending: { state: number; place: ArrayPlace }[] = [{ state: 0, place: [] }];
    this.seen[0] = gen;
    let seenPlaced: Set<string> | undefined;
    let place: ArrayPlace = [];
    const reach = (state: number): void => {
      if (place.length === 0) {
        if (this.seen[state] === gen) return;
        this.seen[state] = gen;
      } else {
        const key = `${state}|${place.map(([a, e]) => `${a}:${e}`).join(",")}`;
        seenPlaced ??= new Set();
        if (seenPlaced.has(key)) return;
        seenPlaced.add(key);
      }
      pending.push({ state, place });
    };
    // A path's leaves by array element, built the first time a walk inside an array needs them.
    let grouped: Map<readonly EventLeaf[], LeavesByElement | null> | undefined;
    const step = (transition: FieldTransition, values: readonly EventLeaf[], from: ArrayPlace): void => {
      let candidates = values;
      if (from.length > 0 && values.length > 1) {
        grouped ??= new Map();
        let byElement = grouped.get(values);
        if (byElement === undefined) {
          byElement = leavesByElement(values) ?? null;
          grouped.set(values, byElement);
        }
        if (byElement !== null) {
          const array = byElement.array;
          const used = from.find(([a]) => a === array);
          if (used !== undefined) candidates = byElement.elements.get(used[1]) ?? [];
        }
      }
      for (const leaf of candidates) {
        const joined = joinPlaces(from, leaf.place);
        if (joined === undefined) continue;
        place = joined;
        transition.index.collect(leaf.value, reach);
      }
    };
    for (let at = pending.pop(); at !== undefined; at = pending.pop()) {
      const state = this.states[at.state]!;
      for (const id of state.rules) matched.add(id as Id);
      // Walk whichever is shorter: the state's paths, or the event's.
      if (state.fields.size <= leaves.size) {
        for (const [path, transition] of state.fields) {
          const values = leaves.get(path);
          if (values !== undefined) step(transition, values, at.place);
        }
      } else {
        for (const [path, values] of leaves) {
          const transition = state.fields.get(path);
          if (transition !== undefined) step(transition, values, at.place);
        }
      }
      place = at.place;
      for (const [path, next] of state.absent) if (!leaves.has(path)) reach(next);
    }
    return [...matched];
  }
}
