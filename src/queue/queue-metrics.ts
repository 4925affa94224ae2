/**
 * What the queue tells operators, per kind: how many jobs are queued, running and dead (read from
 * the store, so every node's jobs count), how long the oldest due job has waited, and what this
 * node did (started, completed, retried, dead-lettered, leases lost) as Prometheus counters.
 */
import type { Counter, MetricsRegistry } from "../ops/index.js";
import type { StateCountRow } from "./job-records.js";

export interface KindStats {
  /** Waiting to run, due or not (a job waiting for its retry is queued). */
  readonly queued: number;
  /** Claimed by some node (including leases that have run out and not been taken over yet). */
  readonly running: number;
  /** In the dead letters. */
  readonly dead: number;
  /** How long the longest-waiting due job has been due, in ms; 0 when none is. */
  readonly oldestDueMs: number;
  /** On this node, since it was made: attempts started. */
  readonly started: number;
  readonly completed: number;
  /** Attempts that failed (or deferred) and were scheduled again. */
  readonly retried: number;
  /** Jobs this node moved to the dead letters. */
  readonly deadLettered: number;
  /** Outcomes and renewals refused because another node had taken the job over. */
  readonly leasesLost: number;
}

export type QueueStats = Readonly<Record<string, KindStats>>;

type NodeCount = "started" | "completed" | "retried" | "deadLettered" | "leasesLost";
const nodeCounts: readonly NodeCount[] = ["started", "completed", "retried", "deadLettered", "leasesLost"];

const counterSpecs: Readonly<Record<NodeCount, readonly [string, string]>> = {
  started: ["jeff_queue_jobs_started_total", "Attempts this node started, by kind"],
  completed: ["jeff_queue_jobs_completed_total", "Jobs this node completed, by kind"],
  retried: [
    "jeff_queue_jobs_retried_total",
    "Failed or deferred attempts this node scheduled again, by kind",
  ],
  deadLettered: ["jeff_queue_jobs_dead_total", "Jobs this node moved to the dead letters, by kind"],
  leasesLost: ["jeff_queue_leases_lost_total", "Writes refused because another node had taken the job over"],
};

const states = ["queued", "running", "dead"] as const;

export class QueueMetrics {
  readonly #counts = new Map<string, Record<NodeCount, number>>();
  readonly #counters: Partial<Record<NodeCount, Counter>> = {};
  #snapshot: { readonly at: number; readonly stats: QueueStats } = {
    at: Number.NEGATIVE_INFINITY,
    stats: {},
  };

  /**
   * Gauges are read at scrape time and cannot wait for the store, so they show the last snapshot
   * and ask for a fresh one (`refresh`) when it is older than `staleMs`.
   */
  constructor(
    registry: MetricsRegistry | undefined,
    private readonly now: () => number,
    private readonly refresh: () => void,
    private readonly staleMs: number,
  ) {
    if (!registry) return;
    for (const count of nodeCounts) this.#counters[count] = registry.counter(...counterSpecs[count]);
    // Every kind shows every state, zero included, so a series drops to 0 rather than vanishing.
    registry.gauge("jeff_queue_jobs", "Jobs in the store by kind and state (queued, running, dead)", () =>
      Object.entries(this.#read()).flatMap(([kind, stats]) =>
        states.map((state) => [{ kind, state }, stats[state]] as const),
      ),
    );
    registry.gauge("jeff_queue_oldest_due_seconds", "How long the oldest due job has waited, by kind", () =>
      Object.entries(this.#read()).map(([kind, stats]) => [{ kind }, stats.oldestDueMs / 1000] as const),
    );
  }

  count(kind: string, what: NodeCount, by = 1): void {
    let counts = this.#counts.get(kind);
    if (!counts) {
      counts = { started: 0, completed: 0, retried: 0, deadLettered: 0, leasesLost: 0 };
      this.#counts.set(kind, counts);
    }
    counts[what] += by;
    this.#counters[what]?.inc({ kind }, by);
  }

  /** Takes a fresh count from the store; `kinds` always appear, with zeros if need be. */
  update(rows: readonly StateCountRow[], at: number, kinds: Iterable<string>): QueueStats {
    const stats: Record<string, KindStats> = {};
    const names = new Set([...kinds, ...this.#counts.keys(), ...rows.map((row) => row.kind)]);
    for (const kind of [...names].sort()) {
      const of = (state: StateCountRow["state"]) =>
        rows.find((row) => row.kind === kind && row.state === state);
      const queued = of("queued");
      stats[kind] = {
        queued: Number(of("queued")?.jobs ?? 0),
        running: Number(of("running")?.jobs ?? 0),
        dead: Number(of("dead")?.jobs ?? 0),
        oldestDueMs: queued ? oldestDueMs(queued, at) : 0,
        ...(this.#counts.get(kind) ?? {
          started: 0,
          completed: 0,
          retried: 0,
          deadLettered: 0,
          leasesLost: 0,
        }),
      };
    }
    this.#snapshot = { at, stats };
    return stats;
  }

  #read(): QueueStats {
    if (this.now() - this.#snapshot.at > this.staleMs) this.refresh();
    return this.#snapshot.stats;
  }
}

function oldestDueMs(row: StateCountRow, at: number): number {
  return row.earliest === null ? 0 : Math.max(0, at - Number(row.earliest));
}
