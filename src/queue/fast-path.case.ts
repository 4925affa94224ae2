/**
 * The enqueuing node's fast path (`queue.enqueue`): a job inserted already leased to its node
 * starts from one read after the commit, and falls back to the ordinary path whenever it must.
 */
import { describe, expect, it } from "vitest";
import { enqueue } from "./enqueue.js";
import { gate, jobRow, jobRows, Seen, type SuiteHarness, until } from "./queue-harness.case.js";

export function describeFastPathCases({ fresh, restartable, queue: makeQueue }: SuiteHarness): void {
  describe("fast path", () => {
    it("starts a job it enqueued leased to itself once the enqueue commits, writing no claim", async () => {
      const store = await fresh();
      const { queue } = makeQueue(store);
      const seen = new Seen();
      const finish = gate();
      queue.register("mail", { handle: seen.handler(() => finish.opened) });
      await queue.start();
      const { id, created } = await store.transaction((tx) =>
        queue.enqueue(tx, { kind: "mail", payload: 7 }),
      );
      expect(created).toBe(true);
      queue.wake();
      await until(() => seen.running.size === 1, "the job to start");
      expect(seen.started[0]).toMatchObject({ id, payload: 7, attempt: 1 });
      expect(await jobRow(store, id)).toMatchObject({
        state: "running",
        claims: 1,
        attempts: 0,
        lease_owner: "node-a",
      });
      finish.open();
      await until(async () => (await jobRows(store)).length === 0, "the job to complete");
      expect((await queue.stats()).mail).toMatchObject({ started: 1, completed: 1 });
    });

    it("runs nothing for a rolled-back enqueue, and the kind's next job still runs", async () => {
      const store = await fresh();
      const { queue, clock } = makeQueue(store);
      const seen = new Seen();
      queue.register<string>("mail", { concurrency: 1, leaseMs: 30_000, handle: seen.handler() });
      await queue.start();
      await expect(
        store.transaction(async (tx) => {
          await queue.enqueue(tx, { kind: "mail", payload: "lost" });
          throw new Error("the caller changed its mind");
        }),
      ).rejects.toThrow("changed its mind");
      queue.wake();
      await queue.idle();
      expect(await jobRows(store)).toEqual([]);
      await store.transaction((tx) => queue.enqueue(tx, { kind: "mail", payload: "kept" }));
      queue.wake();
      await until(async () => (await jobRows(store)).length === 0, "the next job to complete");
      clock.advance(30_000); // the lost one's lease would have ended: it is forgotten
      await queue.idle();
      const later = await store.transaction((tx) => queue.enqueue(tx, { kind: "mail", payload: "later" }));
      expect(await jobRow(store, later.id)).toMatchObject({ state: "running", claims: 1 });
      queue.wake();
      await until(async () => (await jobRows(store)).length === 0, "the last job to complete");
      expect(seen.started.map((job) => job.payload)).toEqual(["kept", "later"]);
    });

    it("puts a job back in the queue when claims took the free slot before its enqueue was seen", async () => {
      const store = await fresh();
      const { queue, clock } = makeQueue(store);
      const seen = new Seen();
      const finishFirst = gate();
      queue.register<string>("work", {
        concurrency: 1,
        handle: seen.handler((job) => (job.payload === "first" ? finishFirst.opened : Promise.resolve())),
      });
      await queue.start();
      await queue.idle();
      await enqueue(store, { kind: "work", payload: "first" }, clock.now());
      const holdCaller = gate();
      const caller = store.transaction(async (tx) => {
        await holdCaller.opened;
        return queue.enqueue(tx, { kind: "work", payload: "second" });
      });
      queue.wake(); // its read of candidates waits behind the caller's transaction, or misses it
      holdCaller.open();
      const second = await caller;
      await until(() => seen.running.size === 1, "the first job to take the slot");
      queue.wake();
      await until(async () => (await jobRow(store, second.id))?.state === "queued", "the second to go back");
      finishFirst.open();
      await until(async () => (await jobRows(store)).length === 0, "both jobs to complete");
      expect(seen.started.map((job) => [job.payload, job.attempt])).toEqual([
        ["first", 1],
        ["second", 1],
      ]);
    });

    it("keeps one job per dedupe key on the fast path too", async () => {
      const store = await fresh();
      const { queue } = makeQueue(store);
      const seen = new Seen();
      const finish = gate();
      queue.register("mail", { concurrency: 4, handle: seen.handler(() => finish.opened) });
      await queue.start();
      const first = await store.transaction((tx) => queue.enqueue(tx, { kind: "mail", dedupeKey: "k" }));
      queue.wake();
      await until(() => seen.running.size === 1, "the first to start");
      const again = await store.transaction((tx) => queue.enqueue(tx, { kind: "mail", dedupeKey: "k" }));
      expect(again).toEqual({ id: first.id, created: false });
      finish.open();
      await until(async () => (await jobRows(store)).length === 0, "the job to complete");
      expect(seen.started).toHaveLength(1);
    });

    it("runs a job enqueued leased to a process that died before starting it, counting no attempt", async () => {
      const node = await restartable();
      node.queue.register("work", { maxAttempts: 1, handle: async () => {} });
      await node.queue.start();
      const { id } = await node.store.transaction((tx) => node.queue.enqueue(tx, { kind: "work" }));

      const after = await node.restart(); // before any wake
      const seen = new Seen();
      after.queue.register("work", { maxAttempts: 1, handle: seen.handler() });
      await after.queue.start();
      await until(async () => (await jobRows(after.store)).length === 0, "the job to run after the restart");
      expect(seen.attemptsOf(id)).toEqual([1]);
    });
  });
}
