import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zipSync } from "fflate";
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
import { codePackageMigrations, keepCode, localCode, sweepUnusedPackages } from "./code-packages.js";
import { sweepGraceMs } from "./code-sweep.js";

const zipOf = (source: string) => Buffer.from(zipSync({ "index.mjs": new TextEncoder().encode(source) }));

describe("deployment packages in the store", () => {
  it("unpacks on another node the code one node kept, and sweeps only packages nothing names", async () => {
    const dir = mkdtempSync(join(tmpdir(), "jeff-packages-"));
    const store = await openTestStore({
      dataDir: join(dir, "store"),
      migrations: [
        ...functionTableMigrations,
        ...codePackageMigrations,
        functionOptionsMigration,
        functionUpdateWindowMigration,
      ],
    });
    try {
      const here = join(dir, "node-a", "code");
      const there = join(dir, "node-b", "code");
      const kept = await keepCode(
        store,
        here,
        scope.accountId,
        zipOf("export const handler = () => 'kept';"),
      );
      const orphan = await keepCode(
        store,
        here,
        scope.accountId,
        zipOf("export const handler = () => 'orphan';"),
      );
      await insertFunction(store, scope, newFunctionRecord(scope, "f", functionSettings, kept));

      // Node B has never seen it: the package comes from the store and unpacks into B's folder.
      const unpacked = await localCode(store, there, scope.accountId, kept.sha256);
      expect(unpacked.startsWith(there)).toBe(true);
      expect(readFileSync(join(unpacked, "index.mjs"), "utf8")).toContain("'kept'");
      // Asked again, the folder is reused.
      expect(await localCode(store, there, scope.accountId, kept.sha256)).toBe(unpacked);

      // Recent packages stay; past the grace period only the one no function names goes.
      const later = Date.now() + 2 * sweepGraceMs;
      expect(await sweepUnusedPackages(store)).toBe(0);
      // A package a stack still names (for a rollback) stays though no function names it.
      const named = async (location: string) =>
        location.includes(Buffer.from(orphan.sha256, "base64").toString("hex"));
      expect(await sweepUnusedPackages(store, named, later)).toBe(0);
      expect(await sweepUnusedPackages(store, undefined, later)).toBe(1);
      await expect(localCode(store, join(dir, "node-c"), scope.accountId, orphan.sha256)).rejects.toThrow(
        /not available on this node/,
      );
      expect(existsSync(join(dir, "node-c"))).toBe(false);
      expect(await localCode(store, join(dir, "node-c"), scope.accountId, kept.sha256)).toContain("node-c");
    } finally {
      await store.close();
    }
  });
});
