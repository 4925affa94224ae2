import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openTestStore } from "../../../test/stores.js";
import {
  functionOptionsMigration,
  functionTableMigrations,
  functionUpdateWindowMigration,
  insertFunction,
  newFunctionRecord,
} from "../records/index.js";
import { functionSettings, scope } from "./code-fixtures.case.js";
import { pinCodeFolder, sweepGraceMs, sweepUnneeded, sweepUnusedCode } from "./code-sweep.js";

const hourAgo = (path: string) => {
  const then = new Date(Date.now() - 2 * sweepGraceMs);
  utimesSync(path, then, then);
};

describe("sweeping", () => {
  it("removes old code folders nothing uses; keeps recorded, running, just-stored and recent ones", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "jeff-sweep-"));
    const codeRoot = join(dataDir, "code");
    const folder = (name: string, old: boolean) => {
      const dir = join(codeRoot, scope.accountId, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "index.mjs"), "export const handler = () => 1;");
      if (old) hourAgo(dir);
      return dir;
    };
    const used = folder("used", true);
    folder("unused", true);
    folder("fresh", false);
    const store = await openTestStore({
      dataDir: join(dataDir, "store"),
      migrations: [...functionTableMigrations, functionOptionsMigration, functionUpdateWindowMigration],
    });
    try {
      await insertFunction(
        store,
        scope,
        newFunctionRecord(scope, "f", functionSettings, { dir: used, sha256: "x", size: 1 }),
      );
      const running = folder("running", true);
      const pinnedDir = folder("pinned", true);
      pinCodeFolder(pinnedDir);
      // The data directory reached by another spelling still matches what the store recorded.
      expect(await sweepUnusedCode(store, `${codeRoot}/.`, () => [running])).toBe(1);
      expect((await readdir(join(codeRoot, scope.accountId))).sort()).toEqual([
        "fresh",
        "pinned",
        "running",
        "used",
      ]);
    } finally {
      await store.close();
    }
  });

  it("removes old entries nobody claims", async () => {
    const dir = mkdtempSync(join(tmpdir(), "jeff-sweep-packages-"));
    for (const name of ["named.zip", "orphan.zip", "new.zip"]) writeFileSync(join(dir, name), name);
    hourAgo(join(dir, "named.zip"));
    hourAgo(join(dir, "orphan.zip"));
    expect(await sweepUnneeded(dir, async (path) => path.endsWith("named.zip"))).toBe(1);
    expect((await readdir(dir)).sort()).toEqual(["named.zip", "new.zip"]);
  });
});
