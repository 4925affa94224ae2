/** Enqueueing: inside the caller's transaction, once per dedupe key, refused when it could never run. */
import { describe, expect, it } from "vitest";
import { enqueue } from "./enqueue.js";
import { QueueMisuseError } from "./queue-errors.js";
import { addNote, jobRows, noteIds, type SuiteHarness } from "./queue-harness.case.js";

export function describeEnqueueCases({ fresh }: SuiteHarness): void {
  describe("enqueue", () => {
    it("leaves no job behind when the caller's transaction rolls back, and one when it commits", async () => {
      const store = await fresh();
      await expect(
        store.transaction(async (tx) => {
          await addNote(tx, "lost");
          await enqueue(tx, { kind: "mail", payload: { to: "lost" } });
          throw new Error("the caller changed its mind");
        }),
      ).rejects.toThrow("changed its mind");
      expect(await jobRows(store)).toEqual([]);
      expect(await noteIds(store)).toEqual([]);

      const { id } = await store.transaction(async (tx) => {
        await addNote(tx, "kept");
        return enqueue(tx, { kind: "mail", payload: { to: "kept" } });
      });
      expect(await noteIds(store)).toEqual(["kept"]);
      expect(await jobRows(store)).toMatchObject([{ id, kind: "mail", state: "queued", attempts: 0 }]);
    });

    it("keeps one job per kind and dedupe key, and returns the first job's id", async () => {
      const store = await fresh();
      const first = await enqueue(store, { kind: "mail", dedupeKey: "k1" }, 1000);
      const again = await enqueue(store, { kind: "mail", dedupeKey: "k1", payload: "other" }, 2000);
      const otherKind = await enqueue(store, { kind: "sms", dedupeKey: "k1" }, 3000);
      const noKey = [
        await enqueue(store, { kind: "mail" }, 4000),
        await enqueue(store, { kind: "mail" }, 5000),
      ];
      expect(first.created).toBe(true);
      expect(again).toEqual({ id: first.id, created: false });
      expect(otherKind.created).toBe(true);
      expect(noKey.every((job) => job.created)).toBe(true);
      expect((await jobRows(store)).map((row) => row.id)).toEqual([
        first.id,
        otherKind.id,
        noKey[0]!.id,
        noKey[1]!.id,
      ]);
    });

    it("is due at runAt when given, else at once", async () => {
      const store = await fresh();
      await enqueue(store, { kind: "a" }, 1000);
      await enqueue(store, { kind: "b", runAt: 5000 }, 2000);
      await enqueue(store, { kind: "c", runAt: new Date(7000) }, 3000);
      expect((await jobRows(store)).map((row) => row.ready_at)).toEqual([1000, 5000, 7000]);
    });

    it.each([
      [{ kind: "" }, /job.kind/],
      [{ kind: "a", maxAttempts: 0 }, /job.maxAttempts/],
      [{ kind: "a", runAt: Number.NaN }, /job.runAt/],
      [{ kind: "a", dedupeKey: "" }, /job.dedupeKey/],
      [{ kind: "a", payload: { big: 1n } }, /job.payload/],
    ])("refuses bad job %# before writing anything", async (job, message) => {
      const store = await fresh();
      await expect(enqueue(store, job)).rejects.toThrow(message);
      await expect(enqueue(store, job)).rejects.toBeInstanceOf(QueueMisuseError);
      expect(await jobRows(store)).toEqual([]);
    });
  });
}
