import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limiter.js";

describe("an API destination's rate limit", () => {
  it("lets one second's worth through at once, then gives each waiting delivery its own later turn", () => {
    const limiter = new RateLimiter();
    const t0 = 1_000_000;
    expect([1, 2, 3].map(() => limiter.take("d", 3, t0))).toEqual([0, 0, 0]);
    // Three more at the same moment: a third of a second apart, not all at once.
    expect([1, 2, 3].map(() => limiter.take("d", 3, t0))).toEqual([334, 667, 1000]);
    // The first comes back at its turn and goes.
    expect(limiter.take("d", 3, t0 + 334)).toBe(0);
  });

  it("keeps each destination's rate apart, and never saves up more than a second's worth", () => {
    const limiter = new RateLimiter();
    expect(limiter.take("a", 1, 0)).toBe(0);
    expect(limiter.take("b", 1, 0)).toBe(0);
    expect(limiter.take("a", 1, 0)).toBe(1000);
    expect(limiter.take("a", 1, 60_000)).toBe(0);
    expect(limiter.take("a", 1, 60_000)).toBe(1000);
  });
});
