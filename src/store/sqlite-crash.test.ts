/**
 * Kill -9 in the middle of a stream of writes: every acknowledged transaction must be there in
 * full after reopening, and no transaction may be there in part. (A process crash, not a power
 * loss: the kernel still holds what was written, so this proves the engine's atomicity and its
 * acknowledging only after commit, not the disk's flushing.)
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "./open-store.js";
import type { Migration } from "./store.js";

const writer = fileURLToPath(new URL("../../test/fixtures/store-write-loop.mjs", import.meta.url));
const rowsPerTransaction = 5;
const kills = 3;
/** The same schema the writer opens with. */
const migrations: Migration[] = [
  {
    id: 1,
    name: "crash rows",
    up: "CREATE TABLE crash_rows (seq BIGINT NOT NULL, part BIGINT NOT NULL, PRIMARY KEY (seq, part))",
  },
];

const dir = mkdtempSync(join(tmpdir(), "jeff-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface WriterRun {
  /** The sequence number the writer began at. */
  start: number;
  /** Every sequence number the writer printed, i.e. acknowledged, before it died. */
  acknowledged: number[];
}

/** Starts the writer, lets it acknowledge at least `killAfter` transactions, then SIGKILLs it. */
function runWriterUntilKilled(dataDir: string, killAfter: number): Promise<WriterRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, dataDir, String(rowsPerTransaction)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const acknowledged: number[] = [];
    let start = Number.NaN;
    let pending = "";
    let stderr = "";
    let killed = false;
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        if (line.startsWith("start ")) start = Number(line.slice("start ".length));
        else acknowledged.push(Number(line));
      }
      if (!killed && acknowledged.length >= killAfter) {
        killed = true;
        child.kill("SIGKILL");
      }
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("error", reject);
    // "close", not "exit": every line the writer got out before dying has been read by then.
    child.on("close", (code, signal) => {
      if (killed && signal === "SIGKILL") resolve({ start, acknowledged });
      else reject(new Error(`the writer ended on its own (code ${code}, signal ${signal}):\n${stderr}`));
    });
  });
}

describe("sqlite store under kill -9", () => {
  it(`keeps every acknowledged transaction whole and no transaction in part, across ${kills} kills`, async () => {
    const dataDir = join(dir, "data");
    const acknowledgedEver: number[] = [];
    let storedBefore = 0;
    for (let round = 1; round <= kills; round++) {
      const killAfter = 200 + Math.floor(Math.random() * 400);
      const run = await runWriterUntilKilled(dataDir, killAfter);
      expect(run.start).toBe(storedBefore + 1);
      expect(run.acknowledged.length).toBeGreaterThanOrEqual(killAfter);
      acknowledgedEver.push(...run.acknowledged);

      const store = await openStore({ dataDir, migrations });
      try {
        const groups = await store.all<{ seq: number; rows: number }>(
          "SELECT seq, COUNT(*) AS rows FROM crash_rows GROUP BY seq ORDER BY seq",
        );
        const partial = groups.filter((group) => group.rows !== rowsPerTransaction);
        expect(partial, "transactions present only in part").toEqual([]);

        const stored = groups.map((group) => group.seq);
        const storedSet = new Set(stored);
        const lost = acknowledgedEver.filter((seq) => !storedSet.has(seq));
        expect(lost, "acknowledged transactions missing").toEqual([]);

        // Beyond the acknowledged ones, at most the single transaction in flight may have committed.
        const newestAcknowledged = run.acknowledged.at(-1) ?? storedBefore;
        expect(stored.at(-1)).toBeLessThanOrEqual(newestAcknowledged + 1);
        expect(stored).toEqual(Array.from({ length: stored.length }, (_, index) => index + 1));
        storedBefore = stored.length;
      } finally {
        await store.close();
      }
    }
  }, 120_000);
});
