import { describe, expect, it } from "vitest";
import { checkBackoff, defaultBackoff, retryDelayMs } from "./backoff.js";
import { QueueMisuseError } from "./queue-errors.js";

describe("backoff", () => {
  const policy = checkBackoff({ initialMs: 100, factor: 3, maxMs: 2000, jitter: 0.5 }, "backoff");

  it("grows by the factor after each failed attempt, up to the cap", () => {
    const noJitter = { ...policy, jitter: 0 };
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelayMs(noJitter, attempt, Math.random))).toEqual([
      100, 300, 900, 2000, 2000,
    ]);
  });

  it("takes up to the jitter's share off a wait at random, never adding to it", () => {
    expect(retryDelayMs(policy, 2, () => 0)).toBe(300);
    expect(retryDelayMs(policy, 2, () => 0.5)).toBe(225);
    expect(retryDelayMs(policy, 2, () => 0.999_999)).toBe(150);
    expect(retryDelayMs(policy, 9, () => 0)).toBe(2000);
  });

  it("fills in the defaults", () => {
    expect(checkBackoff(undefined, "b")).toEqual(defaultBackoff);
    expect(checkBackoff({ jitter: 0 }, "b")).toEqual({ ...defaultBackoff, jitter: 0 });
  });

  it.each([
    [{ initialMs: -1 }, /kind.backoff.initialMs/],
    [{ factor: 0.5 }, /kind.backoff.factor/],
    [{ initialMs: 10, maxMs: 5 }, /kind.backoff.maxMs cannot be less than its initialMs \(10\)/],
    [{ jitter: 2 }, /kind.backoff.jitter/],
  ])("refuses %j, naming the field", (input, message) => {
    expect(() => checkBackoff(input, "kind.backoff")).toThrow(message);
    expect(() => checkBackoff(input, "kind.backoff")).toThrow(QueueMisuseError);
  });
});
