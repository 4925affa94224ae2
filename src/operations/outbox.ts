/**
 * Change events, written to the outbox in the transaction of the change that caused them, then
 * read by whoever follows the outbox from a position (`jeff events tail` today, the event bus
 * later). Because a reader reads the store, not a message in memory, an event committed just
 * before a crash is still there for every reader after the restart.
 */
import { randomUUID } from "node:crypto";
import type { SqlExecutor, Store } from "../store/index.js";

/** EventBridge's envelope, as AWS's services emit events. */
export interface ChangeEvent {
  readonly version: "0";
  readonly id: string;
  readonly "detail-type": string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

export interface ChangeEventInput {
  readonly detailType: string;
  /** `aws.lambda`, `aws.ssm`, … */
  readonly source: string;
  readonly account: string;
  readonly region: string;
  readonly resources?: readonly string[];
  readonly detail: unknown;
  readonly time?: Date;
}

export function changeEvent(input: ChangeEventInput): ChangeEvent {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": input.detailType,
    source: input.source,
    account: input.account,
    time: `${(input.time ?? new Date()).toISOString().slice(0, 19)}Z`,
    region: input.region,
    resources: input.resources ?? [],
    detail: input.detail,
  };
}

/** Appends events inside the caller's transaction; they exist exactly when the change does. */
export async function appendChangeEvents(tx: SqlExecutor, events: readonly ChangeEvent[]): Promise<void> {
  const now = Date.now();
  for (const event of events) {
    await tx.run(
      `INSERT INTO outbox_events (seq, created_at, body)
       VALUES ((SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox_events), ?, ?)`,
      [now, JSON.stringify(event)],
    );
  }
}

export interface OutboxEntry {
  readonly seq: number;
  readonly event: ChangeEvent;
}

/** Events after `afterSeq`, oldest first. */
export async function readOutbox(db: SqlExecutor, afterSeq: number, limit: number): Promise<OutboxEntry[]> {
  const rows = await db.all<{ seq: number | bigint; body: string }>(
    "SELECT seq, body FROM outbox_events WHERE seq > ? ORDER BY seq LIMIT ?",
    [afterSeq, limit],
  );
  return rows.map((row) => ({ seq: Number(row.seq), event: JSON.parse(row.body) as ChangeEvent }));
}

/** The position of the newest event, 0 when there is none. */
export async function latestOutboxSeq(db: SqlExecutor): Promise<number> {
  const row = await db.get<{ seq: number | bigint | null }>("SELECT MAX(seq) AS seq FROM outbox_events");
  return Number(row?.seq ?? 0);
}

/** Removes events older than `olderThanMs` (readers that far behind start again from the oldest kept). */
export async function purgeOutbox(db: SqlExecutor, olderThanMs: number): Promise<number> {
  const { changes } = await db.run("DELETE FROM outbox_events WHERE created_at < ?", [olderThanMs]);
  return changes;
}

/** The store channel on which nodes tell each other that change events were committed. */
const outboxChannel = "jeff_outbox";

/** Wakes readers when events were committed, so that a reader waits without polling. */
export class OutboxSignal {
  private waiters: Array<() => void> = [];
  private readonly listeners = new Set<() => void>();

  /**
   * With `store`, the signal crosses nodes: a commit on another node on the same store wakes this
   * node's readers too (`Store.notify`), so a stream on any node sees every node's events.
   */
  constructor(private readonly store?: Store) {
    store?.subscribe(outboxChannel, () => this.wakeReaders());
  }

  notify(): void {
    this.wakeReaders();
    this.store?.notify(outboxChannel);
  }

  /**
   * Calls `listener` at every notice from now on, this node's and the other nodes': for what keeps
   * a copy of records that a committed change may have changed. Returns what stops it.
   */
  listen(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private wakeReaders(): void {
    for (const listener of this.listeners) listener();
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * Resolves true at the next `notify`, or false after `timeoutMs` (readers then send a keep-alive).
   * Call it before reading, so that a commit between the read and the wait is not missed.
   */
  next(timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (notified: boolean) => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((waiter) => waiter !== wake);
        resolve(notified);
      };
      const wake = () => finish(true);
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.waiters.push(wake);
    });
  }
}
