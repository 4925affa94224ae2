import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataDirBusyError, lockDataDir, lockFileName } from "./data-dir-lock.js";

const root = mkdtempSync(join(tmpdir(), "jeff-lock-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const fresh = () => mkdtempSync(join(root, "data-"));

/** The pid of a process that has exited: what a lock left by a crash names. */
let deadPid: number;
beforeAll(async () => {
  const child = spawn(process.execPath, ["-e", ""]);
  await new Promise((resolve) => child.once("exit", resolve));
  deadPid = child.pid!;
});

describe("lockDataDir in one process", () => {
  it("writes the owner's pid, refuses a second lock, and releases only its own", async () => {
    const dir = fresh();
    const lock = await lockDataDir(dir);
    expect(Number.parseInt(readFileSync(join(dir, lockFileName), "utf8"), 10)).toBe(process.pid);
    await expect(lockDataDir(dir)).rejects.toThrow(DataDirBusyError);
    await lock.release();
    expect(readdirSync(dir)).toEqual([]);
    const again = await lockDataDir(dir);
    await again.release();
    await again.release();
  });

  it.each([
    ["a pid only, as older versions wrote it", () => `${deadPid}\n`],
    ["a pid and a token", () => `${deadPid}\n${randomUUID()}\n`],
    ["nothing readable", () => ""],
  ])("takes over a lock left by a dead process holding %s", async (_, content) => {
    const dir = fresh();
    writeFileSync(join(dir, lockFileName), content());
    const lock = await lockDataDir(dir);
    expect(Number.parseInt(readFileSync(join(dir, lockFileName), "utf8"), 10)).toBe(process.pid);
    await lock.release();
  });

  it("takes over when the process that was taking over died too, and clears what it left", async () => {
    const dir = fresh();
    const stale = randomUUID();
    writeFileSync(join(dir, lockFileName), `${deadPid}\n${stale}\n`);
    const breaker = randomUUID();
    writeFileSync(join(dir, `${lockFileName}.break-${stale}`), `${deadPid}\n${breaker}\n`);
    writeFileSync(join(dir, `${lockFileName}.break-${breaker}`), `${deadPid}\n${randomUUID()}\n`);
    const lock = await lockDataDir(dir);
    expect(readdirSync(dir)).toEqual([lockFileName]);
    await lock.release();
  });

  it("refuses while another live process holds it, naming that pid", async () => {
    const dir = fresh();
    // The parent of this test process is alive for as long as the test runs.
    writeFileSync(join(dir, lockFileName), `${process.ppid}\n${randomUUID()}\n`);
    await expect(lockDataDir(dir)).rejects.toThrow(`another Jeff (pid ${process.ppid}) is already using`);
  });
});

class Contender {
  readonly child: ChildProcessWithoutNullStreams;
  readonly #lines: Interface;
  readonly #waiting: Array<(line: string) => void> = [];

  constructor() {
    const script = resolve(import.meta.dirname, "../../test/fixtures/lock-contender.mjs");
    this.child = spawn(process.execPath, [script]);
    this.#lines = createInterface({ input: this.child.stdout });
    this.#lines.on("line", (line) => this.#waiting.shift()?.(line));
  }

  ask(command: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#waiting.push(resolve);
      this.child.once("exit", (code) => reject(new Error(`contender exited with ${code}`)));
      this.child.stdin.write(`${command}\n`);
    });
  }

  stop(): void {
    this.child.stdin.end();
  }
}

describe("lockDataDir across processes", () => {
  it("lets exactly one of several processes racing for a stale lock win, round after round", async () => {
    const contenders = Array.from({ length: 4 }, () => new Contender());
    try {
      for (let round = 0; round < 25; round++) {
        const dir = fresh();
        const token = round % 2 === 0 ? "" : `${randomUUID()}\n`;
        writeFileSync(join(dir, lockFileName), `${deadPid}\n${token}`);
        // Far enough ahead that every contender has read the command before it starts.
        const startAt = Date.now() + 200;
        const answers = await Promise.all(contenders.map((c) => c.ask(`go ${dir} ${startAt}`)));
        expect(
          answers.filter((a) => a !== "won" && a !== "busy"),
          `round ${round}`,
        ).toEqual([]);
        expect(
          answers.filter((a) => a === "won"),
          `round ${round}: ${answers}`,
        ).toHaveLength(1);
        const winner = contenders[answers.indexOf("won")]!;
        expect(Number.parseInt(readFileSync(join(dir, lockFileName), "utf8"), 10)).toBe(winner.child.pid);
        expect(await winner.ask("release")).toBe("released");
        // No draft, break file or lock is left behind by winner or losers.
        expect(readdirSync(dir), `round ${round}`).toEqual([]);
      }
    } finally {
      for (const c of contenders) c.stop();
    }
  }, 120_000);
});
