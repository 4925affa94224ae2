/**
 * Exponential backoff with jitter: the wait after failed attempt n is `initialMs · factor^(n-1)`,
 * capped at `maxMs`, then shortened by a random share of up to `jitter`, so jobs that failed
 * together do not all come back together, and no wait ever exceeds the cap.
 */
import { QueueMisuseError } from "./queue-errors.js";

export interface BackoffPolicy {
  /** The wait after the first failed attempt. */
  readonly initialMs: number;
  /** How much longer each next wait is (≥ 1). */
  readonly factor: number;
  /** The longest wait. */
  readonly maxMs: number;
  /** Up to this share (0–1) of a wait is taken off at random. */
  readonly jitter: number;
}

export const defaultBackoff: BackoffPolicy = { initialMs: 1000, factor: 2, maxMs: 600_000, jitter: 0.2 };

/** Fills in the defaults and refuses a policy no queue could follow; `where` names it in messages. */
export function checkBackoff(input: Partial<BackoffPolicy> | undefined, where: string): BackoffPolicy {
  const policy = { ...defaultBackoff, ...input };
  const { initialMs, factor, maxMs, jitter } = policy;
  if (!Number.isFinite(initialMs) || initialMs < 0) {
    throw new QueueMisuseError(`${where}.initialMs must be a number of milliseconds ≥ 0, not ${initialMs}`);
  }
  if (!Number.isFinite(factor) || factor < 1) {
    throw new QueueMisuseError(`${where}.factor must be a number ≥ 1, not ${factor}`);
  }
  if (!Number.isFinite(maxMs) || maxMs < initialMs) {
    throw new QueueMisuseError(
      `${where}.maxMs cannot be less than its initialMs (${initialMs}), not ${maxMs}`,
    );
  }
  if (!Number.isFinite(jitter) || jitter < 0 || jitter > 1) {
    throw new QueueMisuseError(`${where}.jitter must be a share from 0 to 1, not ${jitter}`);
  }
  return policy;
}

/** The wait after failed attempt `attempt` (1-based); `random` returns a number in [0, 1). */
export function retryDelayMs(policy: BackoffPolicy, attempt: number, random: () => number): number {
  const exponent = Math.max(0, attempt - 1);
  const full = Math.min(policy.maxMs, policy.initialMs * policy.factor ** exponent);
  return Math.round(full * (1 - policy.jitter * random()));
}
