// The store a test opens, on the engine of the project it runs in: SQLite in the data directory,
// or, in the postgres project, a schema of the run's database named after the data directory (the
// same directory gives the same schema, so a restarted server finds its data again).
import { createHash } from "node:crypto";
import { join, resolve } from "node:path";
import pg from "pg";
import { type OpenStoreOptions, openStore, type Store } from "../src/store/index.js";
import { testPostgresUrl, withSchema } from "./postgres.js";

export const testEngine: "sqlite" | "postgres" =
  process.env.JEFF_TEST_ENGINE === "postgres" ? "postgres" : "sqlite";

const created = new Map<string, Promise<string>>();

/** In the postgres project, the store URL for `dataDir` (its schema made on first use); else undefined. */
export function storeUrlFor(dataDir: string): Promise<string> | undefined {
  if (testEngine !== "postgres") return undefined;
  const base = testPostgresUrl();
  if (base === undefined) throw new Error("the postgres project runs without its database");
  const schema = `d_${createHash("sha256").update(resolve(dataDir)).digest("hex").slice(0, 20)}`;
  let url = created.get(schema);
  if (url === undefined) {
    url = (async () => {
      const client = new pg.Client({ connectionString: base });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      } catch (error) {
        // Another process made it at the same moment.
        if (!["23505", "42P06"].includes((error as { code?: string }).code ?? "")) throw error;
      } finally {
        await client.end();
      }
      return withSchema(base, schema);
    })();
    created.set(schema, url);
  }
  return url;
}

/** `openStore` on the project's engine. */
export async function openTestStore(options: OpenStoreOptions): Promise<Store> {
  const url = await storeUrlFor(options.dataDir);
  return openStore(url === undefined ? options : { ...options, url });
}

/** The environment a `jeff` command needs to find the store of `dataDir` on the project's engine. */
export async function storeEnvFor(dataDir: string): Promise<NodeJS.ProcessEnv> {
  const url = await storeUrlFor(dataDir);
  return url === undefined ? {} : { JEFF_STORE: url };
}

/**
 * A file of Jeff's in `dataDir` that a test aims at: the store itself on SQLite; on PostgreSQL,
 * where the store is elsewhere, the running server's `server.json`.
 */
export function storeFileIn(dataDir: string): string {
  return join(dataDir, testEngine === "sqlite" ? "jeff.db" : "server.json");
}
