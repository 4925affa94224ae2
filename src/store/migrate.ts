/**
 * Brings a store's schema up to date, forward only, through nothing but the `Store` contract, so
 * every engine migrates the same way. Each migration runs in a transaction of its own together
 * with the row in `jeff_migrations` that records it: it is applied whole or not at all.
 */
import type { Migration, Store } from "./store.js";
import { StoreMigrationError } from "./store-errors.js";

export const migrationsTable = "jeff_migrations";

interface AppliedRow {
  id: number | bigint;
  name: string;
}

/**
 * Applies every migration not yet applied, in id order (a step waits for the other ranges' steps
 * its `after` names); resolves to the ids it applied.
 */
export async function applyMigrations(store: Store, migrations: readonly Migration[]): Promise<number[]> {
  const ordered = checkMigrations(migrations);
  await store.exec(
    `CREATE TABLE IF NOT EXISTS ${migrationsTable} (id BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`,
  );
  const applied = await store.all<AppliedRow>(`SELECT id, name FROM ${migrationsTable} ORDER BY id`);
  const pending = inApplyOrder(pendingMigrations(ordered, applied));
  const appliedNow: number[] = [];
  for (const migration of pending) {
    if (await applyOne(store, migration)) appliedNow.push(migration.id);
  }
  return appliedNow;
}

/** Refuses a list no store could follow; returns it sorted by id. */
export function checkMigrations(migrations: readonly Migration[]): Migration[] {
  const byId = new Map<number, Migration>();
  for (const [index, migration] of migrations.entries()) {
    const { id, name, up } = migration;
    if (!Number.isSafeInteger(id) || id <= 0) {
      throw new StoreMigrationError(`migrations[${index}].id must be a positive integer, not ${id}`);
    }
    if (typeof name !== "string" || name.trim() === "") {
      throw new StoreMigrationError(`migrations[${index}].name (id ${id}) must be a non-empty string`, id);
    }
    if (typeof up !== "string" && typeof up !== "function") {
      throw new StoreMigrationError(`migrations[${index}].up (id ${id}) must be SQL text or a function`, id);
    }
    checkAfter(migration, index);
    const twin = byId.get(id);
    if (twin) {
      throw new StoreMigrationError(
        `migration id ${id} is used twice ("${twin.name}" and "${name}"); every migration needs its own id`,
        id,
      );
    }
    byId.set(id, migration);
  }
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

function checkAfter({ id, after }: Migration, index: number): void {
  if (after === undefined) return;
  if (!Array.isArray(after)) {
    throw new StoreMigrationError(
      `migrations[${index}].after (id ${id}) must be a list of migration ids`,
      id,
    );
  }
  for (const earlier of after) {
    if (!Number.isSafeInteger(earlier) || earlier <= 0) {
      throw new StoreMigrationError(
        `migrations[${index}].after (id ${id}) must hold positive integers, not ${earlier}`,
        id,
      );
    }
    if (migrationRangeOf(earlier) === migrationRangeOf(id)) {
      throw new StoreMigrationError(
        `migrations[${index}].after (id ${id}) names ${earlier} of its own range, where ids already give the order`,
        id,
      );
    }
  }
}

/**
 * Each subsystem numbers its migrations in a range of its own (identity 100–199, stacks 200–299,
 * …). Subsystems are written in parallel and merged in any order, so one range may be ahead of
 * another in a store; only within a range does an id's order say which step came first.
 */
const migrationRangeSize = 100;

/** The first id of the range a migration id belongs to: 403 → 400. */
export const migrationRangeOf = (id: number): number =>
  Math.floor(id / migrationRangeSize) * migrationRangeSize;

function pendingMigrations(ordered: readonly Migration[], applied: readonly AppliedRow[]): Migration[] {
  const known = new Set(ordered.map((migration) => migration.id));
  const appliedIds = new Set<number>();
  const newestInRange = new Map<number, number>();
  for (const row of applied) {
    const id = Number(row.id);
    if (!known.has(id)) {
      throw new StoreMigrationError(
        `the store has migration ${row.id} ("${row.name}") applied, which this version of Jeff does not know: ` +
          "it was written by a newer Jeff; run that version, or start from another data directory",
        id,
      );
    }
    appliedIds.add(id);
    const range = migrationRangeOf(id);
    newestInRange.set(range, Math.max(id, newestInRange.get(range) ?? 0));
  }
  const pending = ordered.filter((migration) => !appliedIds.has(migration.id));
  for (const migration of pending) {
    const range = migrationRangeOf(migration.id);
    const newest = newestInRange.get(range) ?? 0;
    if (migration.id < newest) {
      throw new StoreMigrationError(
        `migration ${migration.id} ("${migration.name}") is not applied, yet the later migration ${newest} ` +
          `of the same range (${range}–${range + migrationRangeSize - 1}) is; migrations only ever append, ` +
          "so give it an id above every applied one in its range",
        migration.id,
      );
    }
  }
  return pending;
}

/**
 * The pending migrations in id order, except that one whose `after` names a step still pending
 * waits for it — and so does every later step of its range, whose order is by id.
 */
function inApplyOrder(pending: readonly Migration[]): Migration[] {
  const waiting = new Set(pending.map((migration) => migration.id));
  const rest = [...pending];
  const order: Migration[] = [];
  while (rest.length > 0) {
    const blocked = new Set<number>();
    const next = rest.findIndex((migration) => {
      const range = migrationRangeOf(migration.id);
      if (blocked.has(range)) return false;
      if ((migration.after ?? []).some((id) => waiting.has(id))) blocked.add(range);
      return !blocked.has(range);
    });
    if (next === -1) {
      throw new StoreMigrationError(
        `migrations ${rest.map((migration) => migration.id).join(", ")} each wait for another (their after lists form a cycle)`,
      );
    }
    const [migration] = rest.splice(next, 1);
    waiting.delete(migration!.id);
    order.push(migration!);
  }
  return order;
}

/** False when another process applied it first (it is re-checked inside the transaction). */
async function applyOne(store: Store, migration: Migration): Promise<boolean> {
  try {
    return await store.transaction(async (tx) => {
      const already = await tx.get(`SELECT id FROM ${migrationsTable} WHERE id = ?`, [migration.id]);
      if (already) return false;
      if (typeof migration.up === "string") await tx.exec(migration.up);
      else await migration.up(tx, store.dialect);
      await tx.run(`INSERT INTO ${migrationsTable} (id, name, applied_at) VALUES (?, ?, ?)`, [
        migration.id,
        migration.name,
        new Date().toISOString(),
      ]);
      return true;
    });
  } catch (error) {
    if (error instanceof StoreMigrationError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreMigrationError(
      `migration ${migration.id} ("${migration.name}") failed and nothing of it was applied: ${reason}`,
      migration.id,
      { cause: error },
    );
  }
}
