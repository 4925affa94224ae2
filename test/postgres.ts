// What tests use of the run's PostgreSQL database (see postgres-run.ts for how it is made).
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import "./postgres-run.js";

/** The run's database URL, or undefined when this run has none (the suite is then skipped). */
export function testPostgresUrl(): string | undefined {
  const provided = inject("postgres");
  return "url" in provided ? provided.url : undefined;
}

/**
 * A URL on the run's database whose tables live in a new schema of their own, so tests (and test
 * files running at once) never see each other's rows.
 */
export async function freshSchemaUrl(base: string, label = "t"): Promise<string> {
  const schema = `${label.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}_${randomBytes(4).toString("hex")}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
  return withSchema(base, schema);
}

/** `url` with every connection's search_path set to `schema`. */
export function withSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("options", `-c search_path=${schema}`);
  return parsed.toString();
}
