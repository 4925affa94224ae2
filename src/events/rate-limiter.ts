/**
 * `InvocationRateLimitPerSecond`: at most that many requests a second to an API destination, from
 * this node. A token bucket per destination, holding one second's worth: a request takes a token
 * or learns when to come back. Deliveries over the rate wait on the queue (not counted as
 * attempts), as EventBridge queues them rather than failing them; each one told to wait gets a
 * later turn than the one before, so a backlog comes back at the rate, not all at once.
 */
interface Bucket {
  tokens: number;
  at: number;
  /** Deliveries told to come back and not yet through: the next one waits behind them. */
  waiting: number;
}

/** Buckets kept at most; past this, those idle for a second (full again) are dropped. */
const maxBuckets = 1_000;

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();

  /** 0 when a request may go now (and takes its token); else the milliseconds until its turn. */
  take(key: string, perSecond: number, now: number): number {
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= maxBuckets) this.#prune(now);
      bucket = { tokens: perSecond, at: now, waiting: 0 };
      this.#buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(perSecond, bucket.tokens + ((now - bucket.at) * perSecond) / 1000);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      bucket.waiting = Math.max(0, bucket.waiting - 1);
      return 0;
    }
    const turn = Math.ceil(((1 - bucket.tokens + bucket.waiting) * 1000) / perSecond);
    bucket.waiting += 1;
    return turn;
  }

  #prune(now: number): void {
    for (const [key, bucket] of this.#buckets) if (now - bucket.at > 1000) this.#buckets.delete(key);
  }
}
