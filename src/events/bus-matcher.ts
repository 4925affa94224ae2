/**
 * Each bus's enabled event-pattern rules compiled into one RuleSet, kept per node and rebuilt
 * when the bus's rules generation moves: a node reads one number per PutEvents to know its
 * matcher is current, so a rule put through any node applies on every node from its commit on.
 */
import type { SqlExecutor } from "../store/index.js";
import type { BusRecord, EventsScope } from "./bus-records.js";
import { compilePattern, RuleSet } from "./pattern/index.js";
import { listRules, type RuleRecord, type TargetDefinition, targetsOfBus } from "./rule-records.js";

export interface MatchedRule {
  readonly rule: RuleRecord;
  readonly targets: readonly TargetDefinition[];
}

interface CompiledBus {
  readonly generation: number;
  readonly rules: RuleSet<MatchedRule>;
}

/** Rules whose events are matched: enabled ones with a pattern (schedules fire by time, not by events). */
const matchesEvents = (rule: RuleRecord) => rule.state !== "DISABLED" && rule.eventPattern !== undefined;

export class BusMatchers {
  private readonly compiled = new Map<string, CompiledBus>();

  /** The rules (with their targets) an event on `bus` matches. `event` is the envelope. */
  async match(
    db: SqlExecutor,
    scope: EventsScope,
    bus: BusRecord,
    event: Record<string, unknown>,
  ): Promise<MatchedRule[]> {
    const compiled = await this.current(db, scope, bus);
    return compiled.rules.size === 0 ? [] : compiled.rules.matches(event);
  }

  private async current(db: SqlExecutor, scope: EventsScope, bus: BusRecord): Promise<CompiledBus> {
    const key = `${scope.accountId}\u0000${scope.region}\u0000${bus.name}`;
    const cached = this.compiled.get(key);
    if (cached !== undefined && cached.generation === bus.rulesGeneration) return cached;
    const rules = new RuleSet<MatchedRule>();
    if (bus.rulesGeneration > 0) {
      const targets = await targetsOfBus(db, scope, bus.name);
      for (const rule of await listRules(db, scope, bus.name)) {
        if (!matchesEvents(rule)) continue;
        // Patterns were validated when put; one kept from a looser Jeff that no longer compiles
        // matches nothing rather than stopping every event on the bus.
        try {
          rules.set(
            { rule, targets: targets.get(rule.name) ?? [] },
            compilePattern(rule.eventPattern!, { sizeLimit: Infinity }),
          );
        } catch {}
      }
    }
    const fresh = { generation: bus.rulesGeneration, rules };
    this.compiled.set(key, fresh);
    return fresh;
  }
}
