/** Claiming and completing: due jobs run once each, within the kind's concurrency, woken not polled. */
import { describe, expect, it } from "vitest";
import { enqueue } from "./enqueue.js";
import type { ManualClock } from "./queue-clock.js";
import { NonRetriableError } from "./queue-errors.js";
import {
  addNote,
  gate,
  jobRows,
  noteIds,
  Seen,
  type SuiteHarness,
  turns,
  until,
} from "./queue-harness.case.js";
import type { WorkQueue } from "./work-queue.js";

/** Nothing has run 1 ms short of `ms` from now; at `ms`, the one job runs. */
async function runsAfterExactly(
  ms: number,
  { queue, clock, seen }: { queue: WorkQueue; clock: ManualClock; seen: Seen },
): Promise<void> {
  clock.advance(ms - 1);
  await queue.idle();
  expect(seen.started).toHaveLength(0);
  clock.advance(1);
  await until(() => seen.finished.length === 1, `the job to run after ${ms} ms`);
}

export function describeClaimCases({ fresh, queue: makeQueue }: SuiteHarness): void {
  describe("claims", () => {
    it("runs an enqueued job once with its payload, then deletes it", async () => {
      const store = await fresh();
      const { queue, clock } = makeQueue(store);
      const seen = new Seen();
      queue.register("mail", { handle: seen.handler() });
      await queue.start();
      const { id } = await store.transaction((tx) =>
        enqueue(tx, { kind: "mail", payload: { to: "ann" }, dedupeKey: "d" }, clock.now()),
      );
      queue.wake();
      await until(async () => (await jobRows(store)).length === 0, "the job to complete");
      expect(seen.started).toHaveLength(1);
      expect(seen.started[0]).toMatchObject({
        id,
        kind: "mail",
        payload: { to: "ann" },
        attempt: 1,
        maxAttempts: 5,
        dedupeKey: "d",
        previousError: undefined,
        enqueuedAt: clock.now(),
      });
      expect((await queue.stats()).mail).toMatchObject({ queued: 0, running: 0, started: 1, completed: 1 });
    });

    it("runs a job no sooner than it is due, from one timer set to its due time", async () => {
      const store = await fresh();
      const { queue, clock } = makeQueue(store, { pollMs: 60_000 });
      const seen = new Seen();
      queue.register("mail", { handle: seen.handler() });
      await queue.start();
      await queue.idle();
      expect(clock.pendingTimers).toBe(1); // the safety poll, nothing else
      await enqueue(store, { kind: "mail", runAt: clock.now() + 5000 }, clock.now());
      queue.wake();
      await queue.idle();
      expect(clock.pendingTimers).toBe(1); // now set to the job's due time
      await runsAfterExactly(5000, { queue, clock, seen });
    });

    it("finds jobs it was not woken for at the next safety poll", async () => {
      const store = await fresh();
      const { queue, clock } = makeQueue(store, { pollMs: 30_000 });
      const seen = new Seen();
      queue.register("mail", { handle: seen.handler() });
      await queue.start();
      await queue.idle();
      await enqueue(store, { kind: "mail" }, clock.now()); // as another node would: no wake here
      await runsAfterExactly(30_000, { queue, clock, seen });
    });

    it("runs no more jobs of a kind at once than its concurrency", async () => {
      const store = await fresh();
      const { queue, clock } = makeQueue(store);
      const seen = new Seen();
      const gates = new Map<string, ReturnType<typeof gate>>();
      const gateOf = (id: string) => gates.get(id) ?? gates.set(id, gate()).get(id)!;
      queue.register("slow", { concurrency: 2, handle: seen.handler((job) => gateOf(job.id).opened) });
      queue.register("fast", { concurrency: 1, handle: seen.handler() });
      await queue.start();
      for (let i = 0; i < 5; i++) {
        await enqueue(store, { kind: "slow", payload: i }, clock.now());
        clock.advance(1); // one due time each: the order is the same on every engine
      }
      await enqueue(store, { kind: "fast" }, clock.now());
      queue.wake();
      await until(() => seen.running.size === 2 && seen.finished.length === 1, "two slow and the fast job");
      await queue.idle();
      await turns();
      expect(seen.started).toHaveLength(3); // a full kind does not hold up another
      const runningSlow = () =>
        seen.started.find((job) => job.kind === "slow" && !seen.finished.includes(job.id));
      for (let done = 0; done < 5; done++) {
        // The claim of the next one may still be on its way to the store (a round trip on PostgreSQL).
        await until(() => runningSlow() !== undefined, "a slow job to be running");
        gateOf(runningSlow()!.id).open();
        await until(() => seen.finished.length === done + 2, "the next slow job to finish");
      }
      await until(async () => (await jobRows(store)).length === 0, "every job to complete");
      expect(seen.mostAtOnce).toBe(3);
      expect(seen.started.filter((job) => job.kind === "slow").map((job) => job.payload)).toEqual([
        0, 1, 2, 3, 4,
      ]);
    });

    it("commits a handler's own change and its completion together with completeIn", async () => {
      const store = await fresh();
      const { queue, clock } = makeQueue(store);
      const results: boolean[] = [];
      queue.register<string>("note", {
        maxAttempts: 2,
        handle: async (job) => {
          await store.transaction(async (tx) => {
            await addNote(tx, `${job.payload}-${job.attempt}`);
            results.push(await job.completeIn(tx));
            results.push(await job.completeIn(tx)); // twice: the second finds nothing to complete
            if (job.payload === "undo") throw new NonRetriableError("rolled back after completing");
          });
        },
      });
      await queue.start();
      await enqueue(store, { kind: "note", payload: "keep" }, clock.now());
      await enqueue(store, { kind: "note", payload: "undo" }, clock.now());
      queue.wake();
      await until(async () => (await jobRows(store)).length === 1, "one job to complete");
      await until(async () => (await jobRows(store))[0]?.state === "dead", "the other to die");
      expect(results).toEqual([true, false, true, false]);
      expect(await noteIds(store)).toEqual(["keep-1"]);
      expect((await jobRows(store))[0]).toMatchObject({
        last_error: "rolled back after completing",
        attempts: 1,
      });
      expect((await queue.stats()).note).toMatchObject({ completed: 1, deadLettered: 1, leasesLost: 0 });
    });
  });
}
