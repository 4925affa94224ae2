/**
 * Each bus's enabled event-pattern rules compiled into one RuleSet, kept per node and rebuilt
 * when the bus's rules generation moves: a node reads one number per PutEvents to know its
 * matcher is current, so a rule put through any node applies on every node from its commit on.
 */
import type { SqlExecutor } from "../store/index.js";
import { type ArchiveRecord, listArchives } from "./archive-records.js";
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
  /** Archives with a pattern, and those that keep every event. */
  readonly archives: RuleSet<ArchiveRecord>;
  readonly archivingAll: readonly ArchiveRecord[];
}

/** What an event on a bus reaches: the rules (with their targets) and the archives it matches. */
export interface BusMatch {
  readonly rules: MatchedRule[];
  readonly archives: ArchiveRecord[];
}

/** Rules whose events are matched: enabled ones with a pattern (schedules fire by time, not by events). */
const matchesEvents = (rule: RuleRecord) => rule.state !== "DISABLED" && rule.eventPattern !== undefined;

export class BusMatchers {
  private readonly compiled = new Map<string, CompiledBus>();

  /** The rules (with their targets) and archives an event on `bus` matches. `event` is the envelope. */
  async match(
    db: SqlExecutor,
    scope: EventsScope,
    bus: BusRecord,
    event: Record<string, unknown>,
  ): Promise<BusMatch> {
    const compiled = await this.current(db, scope, bus);
    return {
      rules: compiled.rules.size === 0 ? [] : compiled.rules.matches(event),
      archives: [
        ...compiled.archivingAll,
        ...(compiled.archives.size === 0 ? [] : compiled.archives.matches(event)),
      ],
    };
  }

  private async current(db: SqlExecutor, scope: EventsScope, bus: BusRecord): Promise<CompiledBus> {
    const key = `${scope.accountId}\u0000${scope.region}\u0000${bus.name}`;
    const cached = this.compiled.get(key);
    if (cached !== undefined && cached.generation === bus.rulesGeneration) return cached;
    const rules = new RuleSet<MatchedRule>();
    const archives = new RuleSet<ArchiveRecord>();
    const archivingAll: ArchiveRecord[] = [];
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
      for (const archive of await listArchives(db, scope, bus.name)) {
        if (archive.eventPattern === undefined) archivingAll.push(archive);
        else {
          try {
            archives.set(archive, compilePattern(archive.eventPattern, { sizeLimit: Infinity }));
          } catch {}
        }
      }
    }
    const fresh = { generation: bus.rulesGeneration, rules, archives, archivingAll };
    this.compiled.set(key, fresh);
    return fresh;
  }
}
