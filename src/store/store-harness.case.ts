/** What every part of the store suite shares: the tables, a few helpers, and stores closed after each test. */
import { afterEach } from "vitest";
import type { Migration, SqlExecutor, Store } from "./store.js";

/**
 * Opens a store on the storage called `place`, applying `migrations`. The same place gives the
 * same data back after `close`; a place not used before starts empty (a new file, a new schema).
 */
export type OpenStoreAt = (place: string, migrations: readonly Migration[]) => Promise<Store>;

export const tables: Migration = {
  id: 1,
  name: "suite tables",
  up: `
    CREATE TABLE items (
      id BIGINT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      size BIGINT,
      ratio DOUBLE PRECISION,
      data BYTEA
    );
    CREATE TABLE parts (
      id BIGINT PRIMARY KEY,
      item_id BIGINT NOT NULL REFERENCES items (id),
      weight BIGINT CHECK (weight >= 0)
    );
    CREATE TABLE counters (id BIGINT PRIMARY KEY, value BIGINT NOT NULL);
  `,
};

export interface ItemRow {
  id: number;
  name: string;
  size: number | bigint | null;
  ratio: number | null;
  data: Uint8Array | null;
}

export const insertItem = "INSERT INTO items (id, name, size, ratio, data) VALUES (?, ?, ?, ?, ?)";

/** Lets every pending callback and timer-free continuation run, so interleavings actually happen. */
export const nextMacrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

export async function names(db: SqlExecutor): Promise<string[]> {
  const rows = await db.all<{ name: string }>("SELECT name FROM items ORDER BY id");
  return rows.map((row) => row.name);
}

export interface SuiteStores {
  /** A storage place no test has used yet. */
  newPlace(): string;
  /** Opens the store at `place` (the suite tables by default); closed after the test. */
  open(place: string, migrations?: readonly Migration[]): Promise<Store>;
  /** Opens a store at a new place. */
  fresh(migrations?: readonly Migration[]): Promise<Store>;
}

/** Call inside a `describe`: every store opened through the result is closed after each test. */
export function useSuiteStores(openAt: OpenStoreAt): SuiteStores {
  const openStores: Store[] = [];
  let places = 0;
  afterEach(async () => {
    await Promise.all(openStores.splice(0).map((store) => store.close()));
  });
  const newPlace = (): string => `suite${++places}`;
  const open = async (place: string, migrations: readonly Migration[] = [tables]): Promise<Store> => {
    const store = await openAt(place, migrations);
    openStores.push(store);
    return store;
  };
  const fresh = (migrations: readonly Migration[] = [tables]): Promise<Store> => open(newPlace(), migrations);
  return { newPlace, open, fresh };
}
