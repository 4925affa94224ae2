import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { nodeIdFileName, nodeIdIn } from "./node-id.js";

const dir = mkdtempSync(join(tmpdir(), "jeff-node-id-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("makes a node id once per data directory, private to its owner, and gives it back after", async () => {
  const first = await nodeIdIn(dir);
  expect(first).toMatch(/^[0-9a-f-]{36}$/);
  expect(statSync(join(dir, nodeIdFileName)).mode & 0o777).toBe(0o600);
  expect(await Promise.all([nodeIdIn(dir), nodeIdIn(dir)])).toEqual([first, first]);
});

it("refuses an empty node-id file rather than sharing a blank id", async () => {
  const other = join(dir, "blank");
  mkdirSync(other);
  writeFileSync(join(other, nodeIdFileName), "\n");
  await expect(nodeIdIn(other)).rejects.toThrow(/is empty/);
});
