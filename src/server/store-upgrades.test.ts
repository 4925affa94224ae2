// Every data directory an earlier Jeff left behind must open in today's Jeff. The earlier stores
// are rebuilt from today's list with some steps held back: each subsystem k steps behind, for
// every subsystem and every k (up to its not existing yet), and every subsystem at its first
// step. Subsystems grow in parallel, so any one of them may be behind while the others are not.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureInstallation, findInstallation } from "../identity/index.js";
import { type Migration, migrationRangeOf, openStore, type Store } from "../store/index.js";
import { allMigrations } from "./server.js";

interface EarlierStore {
  readonly label: string;
  readonly migrations: readonly Migration[];
}

function earlierStores(all: readonly Migration[]): EarlierStore[] {
  const ranges = new Map<number, Migration[]>();
  for (const migration of [...all].sort((a, b) => a.id - b.id)) {
    const range = migrationRangeOf(migration.id);
    ranges.set(range, [...(ranges.get(range) ?? []), migration]);
  }
  const stores: EarlierStore[] = [];
  for (const steps of ranges.values()) {
    for (let k = 1; k <= steps.length; k++) {
      const heldBack = steps.slice(-k);
      stores.push({
        label: `without ${heldBack.map((step) => step.id).join(", ")}`,
        migrations: all.filter((migration) => !heldBack.includes(migration)),
      });
    }
  }
  const firsts = [...ranges.values()].map((steps) => steps[0]!);
  stores.push({ label: `only ${firsts.map((step) => step.id).join(", ")}`, migrations: firsts });
  return stores;
}

/** The tables and indexes, as SQLite records them: these stores are SQLite files. */
const schemaOf = (store: Store) =>
  store.all(
    "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
  );

const root = mkdtempSync(join(tmpdir(), "jeff-store-upgrades-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("stores written by earlier sets of migrations", () => {
  let freshSchema: unknown[];
  beforeAll(async () => {
    const fresh = await openStore({ dataDir: join(root, "fresh"), migrations: allMigrations });
    freshSchema = await schemaOf(fresh).finally(() => fresh.close());
  });

  it("include the store with functions' 403–409 held back while logs' 500 is applied", () => {
    const labels = earlierStores(allMigrations).map((store) => store.label);
    expect(labels).toContain("without 403, 404, 405, 406, 407, 408, 409");
    expect(labels.length).toBeGreaterThan(allMigrations.length);
  });

  it.each(earlierStores(allMigrations))("upgrade: the store $label", async ({ label, migrations }) => {
    const dataDir = join(root, label.replaceAll(/[^0-9a-z]+/g, "-"));
    await (await openStore({ dataDir, migrations })).close();

    const store = await openStore({ dataDir, migrations: allMigrations });
    try {
      const applied = await store.all<{ id: number }>("SELECT id FROM jeff_migrations ORDER BY id");
      expect(applied.map((row) => row.id)).toEqual(allMigrations.map((m) => m.id).sort((a, b) => a - b));
      expect(await schemaOf(store)).toEqual(freshSchema);
      const installation = await ensureInstallation(store);
      expect(await findInstallation(store)).toEqual(installation);
    } finally {
      await store.close();
    }
  });
});
