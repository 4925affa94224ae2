import { eventLeaves } from "./event-leaves.js";
import { FieldIndex } from "./field-index.js";
import type { CompiledPattern } from "./pattern-compile.js";

/** The index over all of a set's rules, rebuilt when rules change (rules change rarely, events often). */
class MatchIndex<Id> {
  readonly keep = new Set<string>();
  readonly fields = new Map<string, FieldIndex>();
  /** Per condition: its alternative. Per alternative: its rule, how many conditions it needs, what must be absent. */
  readonly conditionAlternative: number[] = [];
  readonly alternativeRule: Id[] = [];
  readonly needed: number[] = [];
  readonly absent: (readonly string[])[] = [];
  /** Alternatives with no condition to look up (only `exists: false`): checked on every event. */
  readonly unconditional: number[] = [];
  private conditionSeen: Int32Array;
  private alternativeSeen: Int32Array;
  private readonly counts: Int32Array;
  private generation = 0;

  constructor(rules: ReadonlyMap<Id, CompiledPattern>) {
    for (const [id, pattern] of rules) {
      for (const p of pattern.paths) this.keep.add(p);
      for (const alt of pattern.alternatives) {
        const a = this.alternativeRule.length;
        this.alternativeRule.push(id);
        this.needed.push(alt.fields.length);
        this.absent.push(alt.absent);
        if (alt.fields.length === 0) this.unconditional.push(a);
        for (const field of alt.fields) {
          const c = this.conditionAlternative.length;
          this.conditionAlternative.push(a);
          let index = this.fields.get(field.path);
          if (index === undefined) {
            index = new FieldIndex();
            this.fields.set(field.path, index);
          }
          for (const m of field.matchers) index.add(m, c);
        }
      }
    }
    this.conditionSeen = new Int32Array(this.conditionAlternative.length);
    this.alternativeSeen = new Int32Array(this.alternativeRule.length);
    this.counts = new Int32Array(this.alternativeRule.length);
  }

  match(event: Record<string, unknown>): Id[] {
    if (++this.generation === 0x7fffffff) {
      this.generation = 1;
      this.conditionSeen.fill(0);
      this.alternativeSeen.fill(0);
    }
    const gen = this.generation;
    const leaves = eventLeaves(event, this.keep);
    const touched: number[] = [];
    const hit = (c: number): void => {
      if (this.conditionSeen[c] === gen) return;
      this.conditionSeen[c] = gen;
      const a = this.conditionAlternative[c]!;
      if (this.alternativeSeen[a] !== gen) {
        this.alternativeSeen[a] = gen;
        this.counts[a] = 0;
        touched.push(a);
      }
      this.counts[a]!++;
    };
    for (const [path, values] of leaves) {
      const index = this.fields.get(path);
      if (index === undefined) continue;
      for (const leaf of values) index.collect(leaf, hit);
    }
    const matched = new Set<Id>();
    const holds = (a: number): boolean => this.absent[a]!.every((p) => !leaves.has(p));
    for (const a of touched) {
      if (this.counts[a] === this.needed[a] && holds(a)) matched.add(this.alternativeRule[a]!);
    }
    for (const a of this.unconditional) if (holds(a)) matched.add(this.alternativeRule[a]!);
    return [...matched];
  }
}

/**
 * The rules of one bus as one matcher. Each event is flattened once (only the paths some rule
 * names), and each of its leaves finds the conditions it satisfies by lookups in that path's
 * FieldIndex; a rule matches when every condition of one of its alternatives was found and its
 * `exists: false` paths are absent. So the work per event follows the event's fields and the
 * conditions it satisfies, not the number of rules.
 */
export class RuleSet<Id = string> {
  private readonly rules = new Map<Id, CompiledPattern>();
  private index: MatchIndex<Id> | undefined;

  /** Adds a rule, or replaces the rule with that id. */
  set(id: Id, pattern: CompiledPattern): this {
    this.rules.set(id, pattern);
    this.index = undefined;
    return this;
  }

  delete(id: Id): boolean {
    this.index = undefined;
    return this.rules.delete(id);
  }

  has(id: Id): boolean {
    return this.rules.has(id);
  }

  get size(): number {
    return this.rules.size;
  }

  /**
   * The ids of the rules an event matches, each once. `event` is the parsed event (a JSON object)
   * or its text; text that is not a JSON object matches nothing.
   */
  matches(event: string | Record<string, unknown>): Id[] {
    let parsed: unknown = event;
    if (typeof event === "string") {
      try {
        parsed = JSON.parse(event);
      } catch {
        return [];
      }
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return [];
    this.index ??= new MatchIndex(this.rules);
    return this.index.match(parsed as Record<string, unknown>);
  }
}
