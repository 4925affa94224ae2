// Every data directory an earlier Jeff left behind must open in today's Jeff. The earlier stores
// are rebuilt from today's list with some steps held back: each subsystem k steps behind, for
// every subsystem and every k (up to its not existing yet), and every subsystem at its first
// step. Subsystems grow in parallel, so any one of them may be behind while the others are not.
// On both engines: a file per store on SQLite, a schema per store on PostgreSQL.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestStore, testEngine } from "../../test/stores.js";
import { ensureInstallation, findInstallation } from "../identity/index.js";
import { type Migration, migrationRangeOf, type Store } from "../store/index.js";
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

/** The tables, their columns, indexes and triggers, as the project's engine records them. */
async function schemaOf(store: Store): Promise<unknown> {
  if (testEngine === "sqlite") {
    return store.all(
      "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name",
    );
  }
  // Each store is a schema of its own: its name is left out of what is compared.
  const [{ schema }] = (await store.all<{ schema: string }>("SELECT current_schema() AS schema")) as [
    { schema: string },
  ];
  const columns = await store.all(
    `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
     WHERE table_schema = current_schema() ORDER BY table_name, column_name`,
  );
  const indexes = await store.all<{ indexname: string; indexdef: string }>(
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname",
  );
  const triggers = await store.all(
    `SELECT event_object_table, trigger_name, event_manipulation, action_statement FROM information_schema.triggers
     WHERE trigger_schema = current_schema() ORDER BY trigger_name, event_manipulation`,
  );
  const constraints = await store.all(
    `SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition
     FROM pg_constraint WHERE connamespace = current_schema()::regnamespace ORDER BY conrelid::regclass::text, conname`,
  );
  return {
    columns,
    constraints,
    indexes: indexes.map((index) => ({ ...index, indexdef: index.indexdef.replaceAll(`${schema}.`, "") })),
    triggers,
  };
}

const root = mkdtempSync(join(tmpdir(), "jeff-store-upgrades-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("stores written by earlier sets of migrations", () => {
  let freshSchema: unknown;
  beforeAll(async () => {
    const fresh = await openTestStore({ dataDir: join(root, "fresh"), migrations: allMigrations });
    freshSchema = await schemaOf(fresh).finally(() => fresh.close());
  });

  it("include the store with functions' 403–410 held back while logs' 500 is applied", () => {
    const labels = earlierStores(allMigrations).map((store) => store.label);
    expect(labels).toContain("without 403, 404, 405, 406, 407, 408, 409, 410");
    expect(labels.length).toBeGreaterThan(allMigrations.length);
  });

  it.each(earlierStores(allMigrations))("upgrade: the store $label", async ({ label, migrations }) => {
    const dataDir = join(root, label.replaceAll(/[^0-9a-z]+/g, "-"));
    await (await openTestStore({ dataDir, migrations })).close();

    const store = await openTestStore({ dataDir, migrations: allMigrations });
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
