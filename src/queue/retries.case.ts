/** Failing: retries after a jittered exponential backoff or at the handler's time, then the dead letters. */
import { describe, expect, it } from "vitest";
import { enqueue } from "./enqueue.js";
import { NonRetriableError, RetryAfterError } from "./queue-errors.js";
import { jobRow, Seen, type SuiteHarness, until } from "./queue-harness.case.js";

export function describeRetryCases({ fresh, queue: makeQueue }: SuiteHarness): void {
  describe("retries", () => {
    it("retries after an exponential backoff with jitter, then keeps the job dead with its last error", async () => {
      const store = await fresh();
      const { queue, clock } = makeQueue(store, { random: () => 0.5 });
      const seen = new Seen();
      queue.register("flaky", {
        maxAttempts: 3,
        backoff: { initialMs: 1000, factor: 2, maxMs: 60_000, jitter: 0.5 },
        handle: seen.handler(async (job) => {
          throw new Error(`failure ${job.attempt}`);
        }),
      });
      await queue.start();
      const t0 = clock.now();
      const { id } = await enqueue(store, { kind: "flaky" }, t0);
      queue.wake();
      const failed = async (attempts: number) =>
        until(
          async () => (await jobRow(store, id))?.last_error === `failure ${attempts}`,
          `failure ${attempts}`,
        );

      await failed(1);
      // 1000 ms, less half of the 50 % jitter (random() is 0.5): 750 ms.
      expect(await jobRow(store, id)).toMatchObject({ state: "queued", attempts: 1, ready_at: t0 + 750 });
      clock.advance(749);
      await queue.idle();
      expect(seen.attemptsOf(id)).toEqual([1]);
      clock.advance(1);
      await failed(2);
      expect(await jobRow(store, id)).toMatchObject({
        state: "queued",
        attempts: 2,
        ready_at: t0 + 750 + 1500,
      });
      expect(seen.started[1]?.previousError).toBe("failure 1");

      clock.advance(1500);
      await failed(3);
      expect(await jobRow(store, id)).toMatchObject({
        state: "dead",
        attempts: 3,
        ready_at: null,
        dead_at: t0 + 2250,
        lease_owner: null,
      });
      clock.advance(600_000);
      await queue.idle();
      expect(seen.attemptsOf(id)).toEqual([1, 2, 3]);
      expect((await queue.stats()).flaky).toMatchObject({
        queued: 0,
        running: 0,
        dead: 1,
        started: 3,
        retried: 2,
        deadLettered: 1,
      });
    });

    it("runs again when RetryAfterError says, and gives the attempt back when it does not count", async () => {
      const store = await fresh();
      const { queue, clock } = makeQueue(store);
      const seen = new Seen();
      const t0 = clock.now();
      queue.register("later", {
        maxAttempts: 2,
        handle: seen.handler(async () => {
          if (seen.started.length === 1) throw new RetryAfterError("not yet", new Date(t0 + 10_000));
          if (seen.started.length === 2)
            throw new RetryAfterError("throttled", 500, { countsAsAttempt: false });
        }),
      });
      await queue.start();
      const { id } = await enqueue(store, { kind: "later" }, t0);
      queue.wake();
      await until(async () => (await jobRow(store, id))?.last_error === "not yet", "the first deferral");
      expect(await jobRow(store, id)).toMatchObject({ attempts: 1, ready_at: t0 + 10_000 });
      clock.advance(10_000);
      await until(async () => (await jobRow(store, id))?.last_error === "throttled", "the throttle");
      expect(await jobRow(store, id)).toMatchObject({ state: "queued", attempts: 1, ready_at: t0 + 10_500 });
      clock.advance(500);
      await until(async () => (await jobRow(store, id)) === undefined, "the job to complete");
      expect(seen.attemptsOf(id)).toEqual([1, 2, 2]);
    });

    it("sends a job straight to the dead letters on NonRetriableError, or a counted retry on its last attempt", async () => {
      const store = await fresh();
      const { queue, clock } = makeQueue(store);
      queue.register<string>("doomed", {
        maxAttempts: 1,
        handle: async (job) => {
          if (job.payload === "never") throw new NonRetriableError("bad input");
          throw new RetryAfterError("again please", 1000);
        },
      });
      await queue.start();
      const never = await enqueue(store, { kind: "doomed", payload: "never", maxAttempts: 10 }, clock.now());
      const last = await enqueue(store, { kind: "doomed", payload: "last" }, clock.now());
      queue.wake();
      await until(async () => (await jobRow(store, last.id))?.state === "dead", "the last attempt to die");
      await until(async () => (await jobRow(store, never.id))?.state === "dead", "the non-retriable to die");
      expect(await jobRow(store, never.id)).toMatchObject({ attempts: 1, last_error: "bad input" });
      expect(await jobRow(store, last.id)).toMatchObject({ attempts: 1, last_error: "again please" });
    });
  });
}
