/**
 * Where the store lives and which engine opens it. Callers name a data directory and their
 * migrations; the engine is a matter of configuration (a `postgres` option joins here later).
 */
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { openPostgresStore } from "./postgres-engine.js";
import { openSqliteStore, type SqliteSynchronous } from "./sqlite-engine.js";
import type { Migration, Store } from "./store.js";

/** The environment variable naming the data directory when no `--data-dir` flag is given. */
export const dataDirEnvVar = "JEFF_DATA_DIR";
/** The data directory's name inside the project when neither flag nor environment names one. */
export const defaultDataDirName = ".jeff";
/** Set to `1` to make the store refuse calls from inside its own transactions (tests set it). */
export const storeGuardEnvVar = "JEFF_STORE_GUARD";
/** The SQLite database's file name inside the data directory. */
export const sqliteFileName = "jeff.db";

export interface OpenStoreOptions {
  /** Created (mode 0700, only the owner may enter) when missing. */
  readonly dataDir: string;
  readonly migrations: readonly Migration[];
  /** SQLite's durability; see `SqliteStoreOptions.synchronous`. Default `full`. */
  readonly synchronous?: SqliteSynchronous;
  /** See `SqliteStoreOptions.guardNesting`; default: `$JEFF_STORE_GUARD` is `1`. */
  readonly guardNesting?: boolean;
  /** A PostgreSQL URL: the store lives there instead of in the data directory's SQLite file. */
  readonly url?: string | undefined;
  /** Connections to PostgreSQL at most, with `url`. */
  readonly poolSize?: number;
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  // The mode applies only to directories created here; an existing one keeps its owner's choice.
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const guardNesting = options.guardNesting ?? process.env[storeGuardEnvVar] === "1";
  if (options.url !== undefined) {
    return openPostgresStore({
      url: options.url,
      migrations: options.migrations,
      guardNesting,
      ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
    });
  }
  return openSqliteStore({
    filename: join(options.dataDir, sqliteFileName),
    migrations: options.migrations,
    ...(options.synchronous === undefined ? {} : { synchronous: options.synchronous }),
    guardNesting,
  });
}

export interface DataDirSources {
  /** The `--data-dir` flag's value, if given. */
  readonly flag?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly projectDir: string;
}

/** The `--data-dir` flag, else `$JEFF_DATA_DIR`, else `<projectDir>/.jeff`; always absolute. Empty counts as unset. */
export function resolveDataDir({ flag, env, projectDir }: DataDirSources): string {
  if (flag !== undefined && flag !== "") return resolve(flag);
  const fromEnv = env[dataDirEnvVar];
  if (fromEnv !== undefined && fromEnv !== "") return resolve(fromEnv);
  return resolve(projectDir, defaultDataDirName);
}
