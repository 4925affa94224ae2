/**
 * What a handler's ending means for its job: resolving completes it; `NonRetriableError` buries
 * it; `RetryAfterError` brings it back at the handler's time; any other error brings it back after
 * the kind's backoff, until the attempts run out and it goes to the dead letters.
 */
import { type BackoffPolicy, retryDelayMs } from "./backoff.js";
import type { JobWrite, Lease } from "./job-records.js";
import { NonRetriableError, RetryAfterError } from "./queue-errors.js";

/** Errors are kept by message, cut to this many characters. */
const errorTextLimit = 4000;

export interface FailedAttempt {
  readonly lease: Lease;
  /** 1-based number of the attempt that failed. */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
  readonly now: number;
  readonly random: () => number;
}

/** The write that records a failed attempt: a retry at some time, or the dead letters. */
export function failureWrite(error: unknown, failed: FailedAttempt): JobWrite & { type: "retry" | "dead" } {
  const { lease, attempt, maxAttempts, now } = failed;
  const text = errorText(error);
  const buried = { type: "dead", lease, now, error: text, attempts: attempt } as const;
  if (error instanceof NonRetriableError) return buried;
  if (error instanceof RetryAfterError) {
    if (error.countsAsAttempt && attempt >= maxAttempts) return buried;
    const at = error.retryAt instanceof Date ? error.retryAt.getTime() : now + error.retryAt;
    return {
      type: "retry",
      lease,
      readyAt: Math.round(Math.max(now, at)),
      error: text,
      attempts: error.countsAsAttempt ? attempt : attempt - 1,
    };
  }
  if (attempt >= maxAttempts) return buried;
  return {
    type: "retry",
    lease,
    readyAt: now + retryDelayMs(failed.backoff, attempt, failed.random),
    error: text,
    attempts: attempt,
  };
}

export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.length > errorTextLimit ? `${text.slice(0, errorTextLimit)}…` : text;
}
