/** Starting and stopping a queue, what it refuses, and what it tells operators. */
import { describe, expect, it } from "vitest";
import { MetricsRegistry } from "../ops/index.js";
import { enqueue } from "./enqueue.js";
import { QueueMisuseError } from "./queue-errors.js";
import { gate, jobRow, jobRows, Seen, type SuiteHarness, turns, until } from "./queue-harness.case.js";

export function describeLifecycleCases({ fresh, queue: makeQueue }: SuiteHarness): void {
  describe("lifecycle", () => {
    it("stops claiming at once, and waits for running handlers and their outcomes", async () => {
      const store = await fresh();
      const { queue, clock } = makeQueue(store);
      const seen = new Seen();
      const finish = gate();
      queue.register("work", { concurrency: 4, handle: seen.handler(() => finish.opened) });
      await queue.start();
      const running = await enqueue(store, { kind: "work" }, clock.now());
      queue.wake();
      await until(() => seen.running.size === 1, "the job to start");
      let stopped = false;
      const stopping = queue.stop().then(() => {
        stopped = true;
      });
      const late = await enqueue(store, { kind: "work" }, clock.now());
      queue.wake();
      await turns();
      expect(stopped).toBe(false);
      finish.open();
      await stopping;
      expect(await jobRow(store, running.id)).toBeUndefined(); // its completion was written first
      expect(await jobRow(store, late.id)).toMatchObject({ state: "queued", attempts: 0 });
      expect(seen.started).toHaveLength(1);
    });

    it("gives up on a handler after the stop's timeout, aborting its signal and keeping its lease", async () => {
      const store = await fresh();
      const { queue, clock } = makeQueue(store);
      const seen = new Seen();
      queue.register("work", { handle: seen.handler(() => new Promise(() => {})) });
      await queue.start();
      const { id } = await enqueue(store, { kind: "work" }, clock.now());
      queue.wake();
      await until(() => seen.running.size === 1, "the job to start");
      let stopped = false;
      void queue.stop({ timeoutMs: 5000 }).then(() => {
        stopped = true;
      });
      await turns();
      expect(stopped).toBe(false);
      await until(() => {
        clock.advance(1000);
        return stopped;
      }, "the stop to give up");
      expect(seen.started[0]?.signal.aborted).toBe(true);
      expect(await jobRow(store, id)).toMatchObject({ state: "running", lease_owner: "node-a" });
    });

    it("refuses what could never work, naming the field", async () => {
      const store = await fresh();
      const { queue } = makeQueue(store);
      const handle = async () => {};
      queue.register("work", { handle });
      expect(() => queue.register("work", { handle })).toThrow(/registered already/);
      expect(() => queue.register("x", { handle, concurrency: 0 })).toThrow(/register\("x"\): concurrency/);
      expect(() => queue.register("x", { handle, maxAttempts: 1.5 })).toThrow(/maxAttempts/);
      expect(() => queue.register("x", { handle, backoff: { initialMs: 10, maxMs: 5 } })).toThrow(
        /backoff.maxMs cannot be less than its initialMs/,
      );
      expect(() => queue.register("x", { handle: "no" as never })).toThrow(QueueMisuseError);
      await queue.start();
      await expect(queue.start()).rejects.toThrow(/starts once/);
    });

    it("counts jobs by kind and state in stats() and as Prometheus metrics", async () => {
      const store = await fresh();
      const metrics = new MetricsRegistry();
      const { queue, clock } = makeQueue(store, { metrics });
      const hold = gate();
      queue.register("work", { handle: async () => hold.opened });
      queue.register<string>("fail", {
        maxAttempts: 1,
        handle: async () => {
          throw new Error("no");
        },
      });
      await queue.start();
      await enqueue(store, { kind: "work" }, clock.now());
      await enqueue(store, { kind: "work" }, clock.now());
      await enqueue(store, { kind: "fail" }, clock.now());
      await enqueue(store, { kind: "later" }, clock.now() - 4000); // nobody runs this kind here
      queue.wake();
      await until(
        async () => (await jobRows(store)).some((row) => row.state === "dead"),
        "the failure to die",
      );
      await until(async () => (await queue.stats()).work?.running === 1, "one job to run");
      const stats = await queue.stats();
      expect(stats.work).toMatchObject({ queued: 1, running: 1, dead: 0, oldestDueMs: 0, started: 1 });
      expect(stats.fail).toMatchObject({ queued: 0, running: 0, dead: 1, deadLettered: 1 });
      expect(stats.later).toMatchObject({ queued: 1, oldestDueMs: 4000, started: 0 });
      const text = metrics.render();
      expect(text).toContain('jeff_queue_jobs{kind="work",state="queued"} 1');
      expect(text).toContain('jeff_queue_jobs{kind="work",state="running"} 1');
      expect(text).toContain('jeff_queue_jobs{kind="fail",state="dead"} 1');
      expect(text).toContain('jeff_queue_jobs{kind="fail",state="queued"} 0');
      expect(text).toContain('jeff_queue_oldest_due_seconds{kind="later"} 4');
      expect(text).toContain('jeff_queue_jobs_dead_total{kind="fail"} 1');
      expect(text).toContain('jeff_queue_jobs_started_total{kind="work"} 1');
      hold.open();
    });
  });
}
