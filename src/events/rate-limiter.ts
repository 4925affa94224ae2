/**
 * `InvocationRateLimitPerSecond`: at most that many requests a second to an API destination, from
 * this node. A token bucket per destination, holding one second's worth: a request takes a token
 * or learns how long until one is free. Deliveries over the rate wait on the queue (not counted as
 * attempts) until then, as EventBridge queues them rather than failing them.
 */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  /** 0 when a request may go now (and takes its token); else the milliseconds until one may. */
  take(key: string, perSecond: number, now: number): number {
    const bucket = this.#buckets.get(key) ?? { tokens: perSecond, at: now };
    bucket.tokens = Math.min(perSecond, bucket.tokens + ((now - bucket.at) * perSecond) / 1000);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) * 1000) / perSecond);
  }
}
