/**
 * How a handler steers its job, as errors (after Inngest's SDK): throw `RetryAfterError` to be run
 * again at a time of its choosing, `NonRetriableError` to go straight to the dead letters. Any
 * other error is retried with the kind's backoff until the attempts run out. `QueueMisuseError` is
 * the queue refusing a call that could never work (a bad option, an unknown kind).
 */

export interface RetryAfterOptions extends ErrorOptions {
  /**
   * False: this attempt is given back and does not count towards `maxAttempts` (for "not now"
   * rather than "failed", such as a throttle). Default true, as in Inngest.
   */
  readonly countsAsAttempt?: boolean;
}

/** Run the job again at `retryAt` (a `Date`), or `retryAt` milliseconds from now (a number). */
export class RetryAfterError extends Error {
  override readonly name = "RetryAfterError";
  readonly retryAt: Date | number;
  readonly countsAsAttempt: boolean;

  constructor(message: string, retryAt: Date | number, options: RetryAfterOptions = {}) {
    super(message, options);
    const at = retryAt instanceof Date ? retryAt.getTime() : retryAt;
    if (!Number.isFinite(at)) {
      throw new QueueMisuseError(`RetryAfterError.retryAt must be a valid Date or a number of milliseconds`);
    }
    this.retryAt = retryAt;
    this.countsAsAttempt = options.countsAsAttempt ?? true;
  }
}

/** Do not try again: the job goes to the dead letters with this error as its last. */
export class NonRetriableError extends Error {
  override readonly name = "NonRetriableError";
}

/** A call the queue refuses because it could never work; the message names the field. */
export class QueueMisuseError extends Error {
  override readonly name = "QueueMisuseError";
  readonly code = "JEFF_QUEUE_MISUSE";
}
