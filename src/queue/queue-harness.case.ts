/**
 * What every part of the queue suite shares: stores on a given engine (closed after each test),
 * queues (stopped after each test), a table for the callers' own writes, gates, and waiting for
 * conditions — never for a length of time.
 */
import { afterEach } from "vitest";
import type { Migration, SqlExecutor, Store } from "../store/index.js";
import type { Job, KindOptions } from "./job-kind.js";
import { ManualClock } from "./queue-clock.js";
import { queueMigrations } from "./queue-schema.js";
import { WorkQueue, type WorkQueueOptions } from "./work-queue.js";

/** Opens a store at `place` with `migrations`; the same place gives the same data after `close`. */
export type OpenStoreAt = (place: string, migrations: readonly Migration[]) => Promise<Store>;

/** A table standing for the caller's own change, enqueued beside. */
const notes: Migration = { id: 1, name: "notes", up: "CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT)" };
export const suiteMigrations: readonly Migration[] = [notes, ...queueMigrations];

export const addNote = (tx: SqlExecutor, id: string, body = ""): Promise<unknown> =>
  tx.run("INSERT INTO notes (id, body) VALUES (?, ?)", [id, body]);

export async function noteIds(db: SqlExecutor): Promise<string[]> {
  return (await db.all<{ id: string }>("SELECT id FROM notes ORDER BY id")).map((row) => row.id);
}

export interface JobRow {
  id: string;
  kind: string;
  state: string;
  ready_at: number | null;
  attempts: number;
  claims: number;
  lease_owner: string | null;
  last_error: string | null;
  dead_at: number | null;
}

export const jobRows = (db: SqlExecutor): Promise<JobRow[]> =>
  db.all<JobRow>(
    "SELECT id, kind, state, ready_at, attempts, claims, lease_owner, last_error, dead_at FROM queue_jobs ORDER BY enqueued_at, id",
  );

export async function jobRow(db: SqlExecutor, id: string): Promise<JobRow | undefined> {
  return (await jobRows(db)).find((row) => row.id === id);
}

/** Polls `check` until it holds; the deadline only turns a hang into a failure. */
export async function until(
  check: () => boolean | Promise<boolean>,
  why: string,
  ms = 60_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${why}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Lets pending callbacks run, so that what could happen next has had its chance. */
export async function turns(count = 20): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

export interface Gate {
  readonly opened: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** The jobs a handler has seen, in order, and the ones running now. */
export class Seen {
  readonly started: Job[] = [];
  readonly running = new Set<string>();
  readonly finished: string[] = [];
  mostAtOnce = 0;

  /** A handler that records its job, waits for `wait(job)`, then does `then(job)`. */
  handler(
    wait: (job: Job) => Promise<void> = async () => {},
    then: (job: Job) => void | Promise<void> = () => {},
  ): KindOptions["handle"] {
    return async (job) => {
      this.started.push(job);
      this.running.add(job.id);
      this.mostAtOnce = Math.max(this.mostAtOnce, this.running.size);
      try {
        await wait(job);
        await then(job);
      } finally {
        this.running.delete(job.id);
        this.finished.push(job.id);
      }
    };
  }

  attemptsOf(id: string): number[] {
    return this.started.filter((job) => job.id === id).map((job) => job.attempt);
  }
}

/** A node's process on a store of its own place, which can die and start again. */
export interface RestartableNode {
  readonly store: Store;
  readonly queue: WorkQueue;
  readonly clock: ManualClock;
  /**
   * Ends the process as a crash would — no waiting for its handlers, its store closed under them —
   * and opens the place again for the same node under a new epoch, at the same time (so no lease
   * has ended). The new queue is not started.
   */
  restart(): Promise<{ store: Store; queue: WorkQueue }>;
}

export interface SuiteHarness {
  /** A storage place no test has used yet. */
  newPlace(): string;
  /** Opens the store at `place` with the suite's migrations; closed after the test. */
  open(place: string): Promise<Store>;
  fresh(): Promise<Store>;
  /** A queue on `store` (node "node-a" and a ManualClock unless told otherwise); stopped after the test. */
  queue(store: Store, options?: Partial<WorkQueueOptions>): { queue: WorkQueue; clock: ManualClock };
  /** Node "node-a" on a new place, with a ManualClock. */
  restartable(): Promise<RestartableNode>;
}

/** Call inside a `describe`: every store and queue made through the result is cleaned up after each test. */
export function useQueueHarness(openAt: OpenStoreAt): SuiteHarness {
  const stores: Store[] = [];
  const queues: WorkQueue[] = [];
  let places = 0;
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((queue) => queue.stop({ timeoutMs: 0 })));
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });
  const newPlace = (): string => `queue${++places}`;
  const open = async (place: string): Promise<Store> => {
    const store = await openAt(place, suiteMigrations);
    stores.push(store);
    return store;
  };
  const queue = (store: Store, options: Partial<WorkQueueOptions> = {}) => {
    const clock = options.clock ?? new ManualClock();
    const made = new WorkQueue({ store, nodeId: "node-a", random: () => 0.5, ...options, clock });
    queues.push(made);
    // Tests that pass the system clock do not move it.
    return { queue: made, clock: clock as ManualClock };
  };
  const restartable = async (): Promise<RestartableNode> => {
    const place = newPlace();
    const store = await open(place);
    const { queue: first, clock } = queue(store);
    const restart = async () => {
      await first.stop({ timeoutMs: 0 });
      await store.close();
      const reopened = await open(place);
      return { store: reopened, queue: queue(reopened, { clock }).queue };
    };
    return { store, queue: first, clock, restart };
  };
  return { newPlace, open, fresh: () => open(newPlace()), queue, restartable };
}
