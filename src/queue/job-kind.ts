/** What a handler sees of its job, and how a kind of work is registered: its handler and limits. */
import type { SqlExecutor } from "../store/index.js";
import { type BackoffPolicy, checkBackoff } from "./backoff.js";
import { checkMaxAttempts } from "./enqueue.js";
import { QueueMisuseError } from "./queue-errors.js";

export interface Job<Payload = unknown> {
  readonly id: string;
  readonly kind: string;
  readonly payload: Payload;
  /** This attempt's number, from 1. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Milliseconds since the epoch. */
  readonly enqueuedAt: number;
  readonly dedupeKey: string | undefined;
  /** The error the previous attempt ended with, if it failed. */
  readonly previousError: string | undefined;
  /**
   * Aborted when this node no longer holds the job (its lease was taken over, so another node may
   * be running it) or when `stop` stopped waiting for it. A long handler should give up then.
   */
  readonly signal: AbortSignal;
  /**
   * Completes the job inside the handler's own transaction, so its effects and its completion
   * commit together. False when the lease was lost: throw, so that the transaction rolls back.
   */
  completeIn(tx: SqlExecutor): Promise<boolean>;
}

export interface KindOptions<Payload = unknown> {
  /** Resolves: the job is done. Throws: see `RetryAfterError`, `NonRetriableError`. */
  handle(job: Job<Payload>): Promise<void>;
  /** Jobs of this kind this node runs at once. Default 1. */
  readonly concurrency?: number;
  /** Attempts before the dead letters, unless a job sets its own. Default 5. */
  readonly maxAttempts?: number;
  readonly backoff?: Partial<BackoffPolicy>;
  /**
   * How long a claim lasts without being renewed; it is renewed every third of that while the
   * handler runs, so this is how soon another node takes over from one that died. Default 60 s.
   */
  readonly leaseMs?: number;
}

export interface JobKind {
  readonly name: string;
  readonly handle: (job: Job) => Promise<void>;
  readonly concurrency: number;
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
  readonly leaseMs: number;
  /** Jobs of this kind claimed or running on this node (claims in flight included). */
  active: number;
  /** Jobs of this kind this node enqueued already leased, not yet seen committed. */
  unconfirmed: number;
  /** When the next job not yet due becomes due, as last read; undefined when unknown. */
  nextReadyAt: number | undefined;
}

export const kindDefaults = { concurrency: 1, maxAttempts: 5, leaseMs: 60_000 } as const;

/** Checks a kind's options once, naming the field that is wrong. */
export function jobKind<Payload>(name: string, options: KindOptions<Payload>): JobKind {
  if (typeof name !== "string" || name === "") {
    throw new QueueMisuseError(`a kind's name must be a non-empty string, not ${JSON.stringify(name)}`);
  }
  const where = `register("${name}")`;
  if (typeof options?.handle !== "function")
    throw new QueueMisuseError(`${where}: handle must be a function`);
  const concurrency = options.concurrency ?? kindDefaults.concurrency;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new QueueMisuseError(`${where}: concurrency must be a whole number ≥ 1, not ${concurrency}`);
  }
  const leaseMs = options.leaseMs ?? kindDefaults.leaseMs;
  if (!Number.isSafeInteger(leaseMs) || leaseMs < 3) {
    throw new QueueMisuseError(`${where}: leaseMs must be whole milliseconds ≥ 3, not ${leaseMs}`);
  }
  return {
    name,
    handle: options.handle as (job: Job) => Promise<void>,
    concurrency,
    maxAttempts: checkMaxAttempts(options.maxAttempts ?? kindDefaults.maxAttempts, `${where}: maxAttempts`),
    backoff: checkBackoff(options.backoff, `${where}: backoff`),
    leaseMs,
    active: 0,
    unconfirmed: 0,
    nextReadyAt: undefined,
  };
}
