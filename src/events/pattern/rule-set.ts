import type { CompiledPattern } from "./pattern-compile.js";
import { RuleMachine } from "./rule-machine.js";

/**
 * The rules of one bus as one matcher (a RuleMachine, rebuilt when rules change: rules change
 * rarely, events often). Each event is flattened once, only on the paths some rule names, and
 * walked through the machine, so the work per event follows the event's fields and the states
 * it reaches, not the number of rules.
 */
export class RuleSet<Id = string> {
  private readonly rules = new Map<Id, CompiledPattern>();
  private machine: RuleMachine<Id> | undefined;

  /** Adds a rule, or replaces the rule with that id. */
  set(id: Id, pattern: CompiledPattern): this {
    this.rules.set(id, pattern);
    this.machine = undefined;
    return this;
  }

  delete(id: Id): boolean {
    this.machine = undefined;
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
    if (this.machine === undefined) {
      const machine = new RuleMachine<Id>();
      for (const [id, pattern] of this.rules) {
        for (const alternative of pattern.alternatives) machine.add(id, alternative, pattern.paths);
      }
      this.machine = machine;
    }
    return this.machine.match(parsed as Record<string, unknown>);
  }
}
