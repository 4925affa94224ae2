import { LeafTable, pathTree } from "./event-leaves.js";
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

/** How deep a path lies: how many objects down from the event. */
const depthOf = (path: string): number => {
  let depth = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 46) depth++;
  return depth;
};

/** Exact values first (one value each, few states reached), other conditions next, `exists: false` last. */
const rankOf = (step: Step): number =>
  step.absent ? 2 : step.matchers.every((m) => m.kind === "exact") ? 0 : 1;

/**
 * The order an alternative's conditions are walked in, the same for every rule so that rules
 * share their first states: shallower paths first, then exact values before other conditions,
 * then by path and condition. Any fixed order gives the same answers (an alternative is a
 * conjunction); this one narrows first. The envelope's fields (one value each, selective,
 * outside any array) come before a record's deep fields, which lie in arrays of objects and have
 * many values: a rule that asks `source` and a field of every line reaches one state for the
 * source and fans out only from there, instead of a state per line, each asking the source
 * again. At one depth an exact value (a SKU) comes before a range (a quantity above n), which
 * many values satisfy and would fan out into a state per range satisfied.
 */
function stepOrder(a: Step, b: Step): number {
  const depth = depthOf(a.path) - depthOf(b.path);
  if (depth !== 0) return depth;
  const rank = rankOf(a) - rankOf(b);
  if (rank !== 0) return rank;
  return a.path < b.path ? -1 : a.path > b.path ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** A condition's canonical text, so two rules asking the same of a field share one transition. */
function conditionKey(matchers: readonly ValueMatcher[]): string {
  return JSON.stringify(matchers.map((m) => JSON.stringify(m)).sort());
}

/**
 * All alternatives of all rules as one state machine, after AWS's event-ruler: an alternative is
 * its conditions in one fixed order (stepOrder), and alternatives that begin with the same
 * conditions share the states for them, so a condition many rules share is tested once.
 * Matching walks from the start state: at each state, the event's leaves on that state's paths
 * find the next states by lookups (FieldIndex), and every state reached is visited once.
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
  private readonly pendingPlaces: number[] = [];
  private readonly placed = new PlacedVisits();

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
    ].sort(stepOrder);
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
   * The walk for an event with leaves in arrays of objects. A walk carries the place (see
   * LeafTable) of the leaves it used, and takes no leaf from another element of an array it
   * already used an element of. Walks that used no element of an array (the usual case) visit
   * each state once; others, each state once per place.
   */
  private matchPlaced(w: Walkable): Id[] {
    const gen = this.generation;
    const leaves = w.leaves;
    const { layout, fieldPath, fieldIndex, absentPath, absentNext } = w;
    const { values, places, counts } = leaves;
    const seen = this.seen;
    const placed = this.placed;
    placed.clear();
    const hits: number[] = [];
    const matched: Id[] = [];
    // The states to visit and the place each is reached at, side by side.
    const pendingStates = this.pending;
    const pendingPlaces = this.pendingPlaces;
    let top = 0;
    pendingStates[top] = 0;
    pendingPlaces[top++] = 0;
    seen[0] = gen;
    while (top > 0) {
      const state = pendingStates[--top]!;
      const from = pendingPlaces[top]!;
      this.addRules(state, w, matched);
      for (let f = layout[3 * state]!, end = layout[3 * state + 3]!; f < end; f++) {
        const path = fieldPath[f]!;
        if (!leaves.has(path)) continue;
        const list = values[path]!;
        const placeList = places[path]!;
        let v = 0;
        let last = counts[path]!;
        if (from !== 0 && last > 1) {
          // Only the leaves in the element (of the array they all lie in) the walk already used.
          const array = leaves.groupingArray(path);
          const element = array < 0 ? -1 : leaves.elementOf(from, array);
          if (element >= 0) {
            v = leaves.firstInElement(path, element);
            last = leaves.firstInElement(path, element + 1);
          }
        }
        const index = fieldIndex[f]!;
        for (; v < last; v++) {
          const place = leaves.join(from, placeList[v]!);
          if (place < 0) continue;
          const first = hits.length;
          index.collect(list[v]!, hits);
          for (let h = first; h < hits.length; h++) {
            const next = hits[h]!;
            // A state that leads nowhere needs no place: its rules match, whatever the place.
            if (isFinal(layout, next)) {
              this.addRules(next, w, matched);
              continue;
            }
            if (place === 0) {
              if (seen[next] === gen) continue;
              seen[next] = gen;
            } else if (!placed.first(next, place)) continue;
            pendingStates[top] = next;
            pendingPlaces[top++] = place;
          }
        }
      }
      for (let a = layout[3 * state + 1]!, end = layout[3 * state + 4]!; a < end; a++) {
        if (leaves.has(absentPath[a]!)) continue;
        const next = absentNext[a]!;
        if (from === 0) {
          if (seen[next] === gen) continue;
          seen[next] = gen;
        } else if (!placed.first(next, from)) continue;
        pendingStates[top] = next;
        pendingPlaces[top++] = from;
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

/**
 * Which (state, place) pairs one placed walk has reached: open addressing over plain typed
 * arrays, emptied by bumping a generation, so a walk allocates nothing here.
 */
class PlacedVisits {
  private states = new Int32Array(64);
  private places = new Int32Array(64);
  private stamps = new Int32Array(64);
  private generation = 1;
  private size = 0;

  clear(): void {
    this.size = 0;
    if (++this.generation === 0x7fffffff) {
      this.generation = 1;
      this.stamps.fill(0);
    }
  }

  /** Whether this is the first time `state` is reached at `place`. */
  first(state: number, place: number): boolean {
    const mask = this.states.length - 1;
    let at = Math.imul(state ^ Math.imul(place, 0x9e3779b1), 0x85ebca6b) >>> 0;
    at = (at ^ (at >>> 15)) & mask;
    const gen = this.generation;
    while (this.stamps[at] === gen) {
      if (this.states[at] === state && this.places[at] === place) return false;
      at = (at + 1) & mask;
    }
    this.stamps[at] = gen;
    this.states[at] = state;
    this.places[at] = place;
    if (++this.size * 2 > this.states.length) this.grow();
    return true;
  }

  private grow(): void {
    const { states, places, stamps, generation } = this;
    this.states = new Int32Array(2 * states.length);
    this.places = new Int32Array(2 * states.length);
    this.stamps = new Int32Array(2 * states.length);
    this.generation = 1;
    this.size = 0;
    for (let i = 0; i < states.length; i++) {
      if (stamps[i] === generation) this.first(states[i]!, places[i]!);
    }
  }
}
