/**
 * Several nodes on one store: a job runs on one node at a time, a dead node's job is taken over
 * when its lease ends, a node that lost its lease changes nothing, and a restarted node takes back
 * its own jobs at once.
 */
import { describe, expect, it } from "vitest";
import { enqueue } from "./enqueue.js";
import { ManualClock, systemClock } from "./queue-clock.js";
import { gate, jobRow, jobRows, Seen, type SuiteHarness, turns, until } from "./queue-harness.case.js";

export function describeNodeCases({
  fresh,
  newPlace,
  open,
  restartable,
  queue: makeQueue,
}: SuiteHarness): void {
  describe("nodes", () => {
    it("claims each job exactly once under eight claimers spread over three nodes, each with its own connections", async () => {
      const place = newPlace();
      // Three processes' worth of connections to one store; eight queues (claimers) across them.
      // An SQLite file serves one Jeff process (its data directory's lock), so there the eight
      // share one connection.
      const first = await open(place);
      const stores =
        first.dialect === "sqlite" ? [first, first, first] : [first, await open(place), await open(place)];
      const runs = new Map<number, number>();
      const running = new Set<number>();
      const overlaps: number[] = [];
      const claimers = Array.from({ length: 8 }, (_, i) => {
        const { queue } = makeQueue(stores[i % 3]!, { nodeId: `node-${i}`, clock: systemClock });
        queue.register("work", {
          concurrency: 3,
          handle: async (job) => {
            const n = job.payload as number;
            if (running.has(n)) overlaps.push(n);
            running.add(n);
            runs.set(n, (runs.get(n) ?? 0) + 1);
            await turns(2);
            running.delete(n);
          },
        });
        return queue;
      });
      for (const claimer of claimers) await claimer.start();
      const jobs = 160;
      // Enqueued in bursts through every connection, each waking every claimer: all race for all.
      for (let i = 0; i < jobs; i += 8) {
        await Promise.all(
          Array.from({ length: 8 }, (_, j) => enqueue(stores[j % 3]!, { kind: "work", payload: i + j })),
        );
        for (const claimer of claimers) claimer.wake();
      }
      await until(async () => (await jobRows(stores[0]!)).length === 0, "every job to complete");
      expect(overlaps).toEqual([]);
      expect(runs.size).toBe(jobs);
      expect([...runs.entries()].filter(([, count]) => count !== 1)).toEqual([]);
      const started = await Promise.all(claimers.map(async (c) => (await c.stats()).work?.started ?? 0));
      expect(started.reduce((a, b) => a + b, 0)).toBe(jobs);
      // More than one node did the work.
      expect(started.filter((count) => count > 0).length).toBeGreaterThan(1);
    });

    it("never runs one job on two nodes at once, and runs each exactly once", async () => {
      const store = await fresh();
      const running = new Set<string>();
      const runs = new Map<string, number>();
      const overlaps: string[] = [];
      const handle = async (job: { id: string }) => {
        if (running.has(job.id)) overlaps.push(job.id);
        running.add(job.id);
        runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
        await turns(3);
        running.delete(job.id);
      };
      const nodes = ["node-a", "node-b"].map(
        (nodeId) => makeQueue(store, { nodeId, clock: systemClock }).queue,
      );
      for (const node of nodes) {
        node.register("work", { concurrency: 4, handle });
        await node.start();
      }
      const jobs = 60;
      for (let i = 0; i < jobs; i++) {
        await enqueue(store, { kind: "work", payload: i });
        for (const node of nodes) node.wake(); // both race for every job
      }
      await until(async () => (await jobRows(store)).length === 0, "every job to complete");
      expect(overlaps).toEqual([]);
      expect(runs.size).toBe(jobs);
      expect([...runs.values()].every((count) => count === 1)).toBe(true);
      const started = await Promise.all(nodes.map(async (node) => (await node.stats()).work?.started ?? 0));
      expect(started[0]! + started[1]!).toBe(jobs);
    });

    it("takes over a dead node's job once its lease ends, and refuses the dead node's late outcome", async () => {
      const store = await fresh();
      const start = Date.UTC(2026, 0, 1);
      const a = makeQueue(store, { nodeId: "node-a", clock: new ManualClock(start) });
      const b = makeQueue(store, { nodeId: "node-b", clock: new ManualClock(start) });
      const seenA = new Seen();
      const seenB = new Seen();
      const gateA = gate();
      const gateB = gate();
      a.queue.register("work", { leaseMs: 30_000, handle: seenA.handler(() => gateA.opened) });
      b.queue.register("work", { leaseMs: 30_000, handle: seenB.handler(() => gateB.opened) });
      await a.queue.start();
      const { id } = await enqueue(store, { kind: "work" }, start);
      a.queue.wake();
      await until(() => seenA.running.size === 1, "node A to claim the job");

      // Node A's clock stands still from here: it never renews, as a node that died would not.
      await b.queue.start();
      await b.queue.idle();
      b.clock.advance(29_999);
      await b.queue.idle();
      expect(seenB.started).toHaveLength(0);
      b.clock.advance(1);
      await until(() => seenB.running.size === 1, "node B to take the job over");
      expect(seenB.started[0]?.attempt).toBe(2);
      expect(await jobRow(store, id)).toMatchObject({ state: "running", lease_owner: "node-b", claims: 2 });

      gateA.open(); // the dead node comes back and reports: nothing it writes may count
      await until(
        async () => (await a.queue.stats()).work?.leasesLost === 1,
        "node A's outcome to be refused",
      );
      expect(seenA.started[0]?.signal.aborted).toBe(true);
      expect(await jobRow(store, id)).toMatchObject({ state: "running", lease_owner: "node-b", claims: 2 });
      gateB.open();
      await until(async () => (await jobRow(store, id)) === undefined, "node B to complete the job");
      expect((await b.queue.stats()).work).toMatchObject({ completed: 1, leasesLost: 0 });
    });

    it("renews a running job's lease, and aborts its handler once the lease is lost", async () => {
      const store = await fresh();
      const clock = new ManualClock();
      const t0 = clock.now();
      const a = makeQueue(store, { nodeId: "node-a", clock });
      const b = makeQueue(store, { nodeId: "node-b", clock });
      const seenB = new Seen();
      let signal: AbortSignal | undefined;
      a.queue.register("work", {
        leaseMs: 30_000,
        handle: (job) => {
          signal = job.signal;
          return new Promise((resolve) => job.signal.addEventListener("abort", () => resolve()));
        },
      });
      b.queue.register("work", { leaseMs: 30_000, handle: seenB.handler() });
      await a.queue.start();
      const { id } = await enqueue(store, { kind: "work" }, t0);
      a.queue.wake();
      await until(() => signal !== undefined, "node A to start the job");
      await b.queue.start();
      for (let step = 1; step <= 9; step++) {
        clock.advance(10_000);
        const leaseEnd = t0 + step * 10_000 + 30_000;
        await until(async () => (await jobRow(store, id))?.ready_at === leaseEnd, `renewal ${step}`);
        await b.queue.idle();
      }
      expect(seenB.started).toHaveLength(0); // 90 s in, past three lease lengths, still node A's

      // Someone takes the job from under node A: its next renewal is refused and its signal fires.
      await store.run("UPDATE queue_jobs SET claims = claims + 1, lease_owner = 'thief' WHERE id = ?", [id]);
      clock.advance(10_000);
      await until(() => signal?.aborted === true, "node A's handler to be told to stop");
      await turns(); // the handler ends on the abort and reports: that refusal is not counted again
      await a.queue.idle();
      expect((await a.queue.stats()).work?.leasesLost).toBe(1); // reported once, not again for its outcome
      expect(await jobRow(store, id)).toMatchObject({ lease_owner: "thief" });
    });

    it("takes back its own jobs at once after a restart, and resumes those it had not begun", async () => {
      const node = await restartable();
      const seenFirst = new Seen();
      node.queue.register("work", { handle: seenFirst.handler(() => new Promise(() => {})) });
      await node.queue.start();
      const held = await enqueue(node.store, { kind: "work", payload: "held" }, node.clock.now());
      node.queue.wake();
      await until(() => seenFirst.running.size === 1, "the first process to start a job");
      const waiting = await enqueue(node.store, { kind: "work", payload: "waiting" }, node.clock.now());
      node.queue.wake();
      await node.queue.idle();

      const after = await node.restart();
      const seenSecond = new Seen();
      after.queue.register("work", { handle: seenSecond.handler() });
      await after.queue.start();
      await until(
        async () => (await jobRows(after.store)).length === 0,
        "both jobs to complete after the restart",
      );
      expect(seenSecond.attemptsOf(held.id)).toEqual([2]);
      expect(seenSecond.attemptsOf(waiting.id)).toEqual([1]);
    });

    it("buries a job whose last attempt was interrupted instead of running it again", async () => {
      const node = await restartable();
      node.queue.register("work", { maxAttempts: 1, handle: () => new Promise(() => {}) });
      await node.queue.start();
      const { id } = await enqueue(node.store, { kind: "work" }, node.clock.now());
      node.queue.wake();
      await until(async () => (await jobRow(node.store, id))?.state === "running", "the job to start");

      const after = await node.restart();
      const seen = new Seen();
      after.queue.register("work", { maxAttempts: 1, handle: seen.handler() });
      await after.queue.start();
      await until(async () => (await jobRow(after.store, id))?.state === "dead", "the job to be buried");
      expect((await jobRow(after.store, id))?.last_error).toMatch(/attempt 1 of 1 was interrupted/);
      expect(seen.started).toHaveLength(0);
      expect((await after.queue.stats()).work).toMatchObject({ dead: 1, deadLettered: 1 });
    });
  });
}
