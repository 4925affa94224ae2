import {
  type ArrayPlace,
  joinPlaces,
  LeafTable,
  type LeavesByElement,
  leavesByElement,
  nowhere,
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
  /** The rules (their numbers) whose alternative ends here: reaching this state means they match. */
  readonly rules: number[];
  readonly fields: Map<string, FieldTransition>;
  /** `exists: false` steps: taken when the event has no leaf at the path. */
  readonly absent: Map<string, number>;
}

const newState = (): State => ({ rules: [], fields: new Map(), absent: new Map() });

/**
 * The states as the walk reads them, built once after the last rule is added, in flat typed
 * arrays: state s's field transitions are numbers layout[3s] to layout[3s + 3] of fieldPath and
 * fieldIndex, its `exists: false` steps layout[3s + 1] to layout[3s + 4] of absentPath and
 * absentNext, its rules layout[3s + 2] to layout[3s + 5] of ruleList. A state reached costs a
 * read of one short run of memory, and a path is a number: an index into the event's LeafTable.
 */
interface Walkable {
  readonly leaves: LeafTable;
  readonly layout: Int32Array;
  readonly fieldPath: Int32Array;
  readonly fieldIndex: readonly FieldIndex[];
  readonly absentPath: Int32Array;
  readonly absentNext: Int32Array;
  readonly ruleList: Int32Array;
}

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
  /** Each rule's id by its number. */
  private readonly ids: Id[] = [];
  private readonly numbers = new Map<Id, number>();
  private walkable: Walkable | undefined;
  // Scratch reused by every match, so a match allocates little beyond its answer.
  private seen = new Int32Array(0);
  private ruleSeen = new Int32Array(0);
  private generation = 0;
  private readonly pending: number[] = [];

  add(id: Id, alternative: Alternative, paths: ReadonlySet<string>): void {
    for (const p of paths) this.keep.add(p);
    this.walkable = undefined;
    let rule = this.numbers.get(id);
    if (rule === undefined) {
      rule = this.ids.length;
      this.ids.push(id);
      this.numbers.set(id, rule);
    }
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
    const rules = this.states[at]!.rules;
    if (!rules.includes(rule)) rules.push(rule);
  }

  private newState(): number {
    this.states.push(newState());
    return this.states.length - 1;
  }

  private build(): Walkable {
    const { tree, ids } = pathTree(this.keep);
    const idOf = (path: string): number => ids.get(path)!;
    const layout = new Int32Array(3 * (this.states.length + 1));
    const fieldPath: number[] = [];
    const fieldIndex: FieldIndex[] = [];
    const absentPath: number[] = [];
    const absentNext: number[] = [];
    const ruleList: number[] = [];
    for (const [i, state] of this.states.entries()) {
      layout[3 * i] = fieldPath.length;
      layout[3 * i + 1] = absentPath.length;
      layout[3 * i + 2] = ruleList.length;
      for (const [path, transition] of state.fields) {
        fieldPath.push(idOf(path));
        fieldIndex.push(transition.index);
      }
      for (const [path, next] of state.absent) {
        absentPath.push(idOf(path));
        absentNext.push(next);
      }
      ruleList.push(...state.rules);
    }
    const end = 3 * this.states.length;
    layout[end] = fieldPath.length;
    layout[end + 1] = absentPath.length;
    layout[end + 2] = ruleList.length;
    const walkable: Walkable = {
      leaves: new LeafTable(tree, ids.size),
      layout,
      fieldPath: Int32Array.from(fieldPath),
      fieldIndex,
      absentPath: Int32Array.from(absentPath),
      absentNext: Int32Array.from(absentNext),
      ruleList: Int32Array.from(ruleList),
    };
    this.seen = new Int32Array(this.states.length);
    this.ruleSeen = new Int32Array(this.ids.length);
    this.generation = 0;
    return walkable;
  }

  /**
   * The rules the event matches, each once. Every state reached is visited once, unless the
   * event has arrays of objects on the paths rules name: then see matchPlaced.
   */
  match(event: Record<string, unknown>): Id[] {
    this.walkable ??= this.build();
    const w = this.walkable;
    if (++this.generation === 0x7fffffff) {
      this.generation = 1;
      this.seen.fill(0);
      this.ruleSeen.fill(0);
    }
    const leaves = w.leaves;
    leaves.fill(event);
    if (leaves.placed) return this.matchPlaced(w);
    const gen = this.generation;
    const seen = this.seen;
    const ruleSeen = this.ruleSeen;
    const pending = this.pending;
    const { layout, fieldPath, fieldIndex, absentPath, absentNext, ruleList } = w;
    const { values, counts } = leaves;
    // The next states each lookup finds, appended; one array per event.
    const hits: number[] = [];
    const matched: Id[] = [];
    let top = 0;
    pending[top++] = 0;
    seen[0] = gen;
    while (top > 0) {
      const at = 3 * pending[--top]!;
      for (let r = layout[at + 2]!, end = layout[at + 5]!; r < end; r++) {
        const rule = ruleList[r]!;
        if (ruleSeen[rule] !== gen) {
          ruleSeen[rule] = gen;
          matched.push(this.ids[rule]!);
        }
      }
      for (let f = layout[at]!, end = layout[at + 3]!; f < end; f++) {
        const path = fieldPath[f]!;
        if (!leaves.has(path)) continue;
        const list = values[path]!;
        const count = counts[path]!;
        const index = fieldIndex[f]!;
        const first = hits.length;
        for (let v = 0; v < count; v++) index.collect(list[v]!, hits);
        for (let h = first; h < hits.length; h++) {
          const next = hits[h]!;
          if (seen[next] !== gen) {
            seen[next] = gen;
            if (isFinal(layout, next)) this.addRules(next, w, matched);
            else pending[top++] = next;
          }
        }
      }
      for (let a = layout[at + 1]!, end = layout[at + 4]!; a < end; a++) {
        if (leaves.has(absentPath[a]!)) continue;
        const next = absentNext[a]!;
        if (seen[next] !== gen) {
          seen[next] = gen;
          pending[top++] = next;
        }
      }
    }
    return matched;
  }

  private addRules(state: number, w: Walkable, matched: Id[]): void {
    const gen = this.generation;
    for (let r = w.layout[3 * state + 2]!, end = w.layout[3 * state + 5]!; r < end; r++) {
      const rule = w.ruleList[r]!;
      if (this.ruleSeen[rule] !== gen) {
        this.ruleSeen[rule] = gen;
        matched.push(this.ids[rule]!);
      }
    }
  }

  /**
   * The walk for an event with leaves in arrays of objects. A walk carries the array places of
   * the leaves it used, and takes no leaf from another element of an array it already used an
   * element of. Walks that used no element of an array (the usual case) visit each state once;
   * others, each state once per place.
   */
  private matchPlaced(w: Walkable): Id[] {
    const gen = this.generation;
    const leaves = w.leaves;
    const hits: number[] = [];
    const matched: Id[] = [];
    const pendingStates: number[] = [0];
    const pendingPlaces: ArrayPlace[] = [nowhere];
    this.seen[0] = gen;
    const placed = new PlacedVisits();
    // A path's leaves by array element, built the first time a walk inside an array needs them.
    let grouped: Map<number, LeavesByElement | null> | undefined;
    while (pendingStates.length > 0) {
      const state = pendingStates.pop()!;
      const from = pendingPlaces.pop()!;
      this.addRules(state, w, matched);
      for (let f = w.layout[3 * state]!, end = w.layout[3 * state + 3]!; f < end; f++) {
        const path = w.fieldPath[f]!;
        if (!leaves.has(path)) continue;
        const values = leaves.values[path]!;
        const places = leaves.places[path]!;
        const total = leaves.counts[path]!;
        let candidates: readonly number[] | undefined;
        if (from.length > 0 && total > 1) {
          grouped ??= new Map();
          let byElement = grouped.get(path);
          if (byElement === undefined) {
            byElement = leavesByElement(places, total) ?? null;
            grouped.set(path, byElement);
          }
          if (byElement !== null) {
            const element = elementOf(from, byElement.array);
            if (element >= 0) candidates = byElement.elements.get(element) ?? [];
          }
        }
        const count = candidates === undefined ? total : candidates.length;
        const index = w.fieldIndex[f]!;
        for (let c = 0; c < count; c++) {
          const v = candidates === undefined ? c : candidates[c]!;
          const place = joinPlaces(from, places[v]!);
          if (place === undefined) continue;
          const first = hits.length;
          index.collect(values[v]!, hits);
          for (let h = first; h < hits.length; h++) {
            const next = hits[h]!;
            // A state that leads nowhere needs no place: its rules match, whatever the place.
            if (isFinal(w.layout, next)) {
              this.addRules(next, w, matched);
              continue;
            }
            if (place.length === 0) {
              if (this.seen[next] === gen) continue;
              this.seen[next] = gen;
            } else if (!placed.first(next, place)) continue;
            pendingStates.push(next);
            pendingPlaces.push(place);
          }
        }
      }
      for (let a = w.layout[3 * state + 1]!, end = w.layout[3 * state + 4]!; a < end; a++) {
        if (leaves.has(w.absentPath[a]!)) continue;
        const next = w.absentNext[a]!;
        if (from.length === 0) {
          if (this.seen[next] === gen) continue;
          this.seen[next] = gen;
        } else if (!placed.first(next, from)) continue;
        pendingStates.push(next);
        pendingPlaces.push(from);
      }
    }
    return matched;
  }
}

/** Whether state s (3s in layout) leads nowhere: reaching it only means its rules match. */
function isFinal(layout: Int32Array, s: number): boolean {
  const at = 3 * s;
  return layout[at] === layout[at + 3] && layout[at + 1] === layout[at + 4];
}

/** The element of `array` a place lies in, or -1 if it lies in none. */
function elementOf(place: ArrayPlace, array: number): number {
  for (let i = 0; i < place.length; i++) if (place[i]![0] === array) return place[i]![1];
  return -1;
}

/**
 * Which states one placed walk has reached at which places. A place's text is made once per
 * place object (leaves of one element share theirs), not once per state reached.
 */
class PlacedVisits {
  private readonly keys = new Map<ArrayPlace, string>();
  private readonly states = new Map<string, Set<number>>();

  /** Whether this is the first time `state` is reached at `place` (an equal place counts as the same). */
  first(state: number, place: ArrayPlace): boolean {
    let key = this.keys.get(place);
    if (key === undefined) {
      key = place.map(([a, e]) => `${a}:${e}`).join(",");
      this.keys.set(place, key);
    }
    let states = this.states.get(key);
    if (states === undefined) {
      states = new Set();
      this.states.set(key, states);
    }
    if (states.has(state)) return false;
    states.add(state);
    return true;
  }
}
