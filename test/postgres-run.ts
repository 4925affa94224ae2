// The PostgreSQL the tests run the store's second engine on. The global setup creates a database
// for the run on the server `$JEFF_TEST_POSTGRES` names (default: this machine's, trust auth) and
// drops it at the end; each test then works in a schema of its own inside it. Without a server,
// `npm test` skips the PostgreSQL runs and says so; CI sets JEFF_REQUIRE_POSTGRES=1, which makes a
// missing server fail the run instead.
import { randomBytes } from "node:crypto";
import pg from "pg";

export const testPostgresEnvVar = "JEFF_TEST_POSTGRES";
export const requirePostgresEnvVar = "JEFF_REQUIRE_POSTGRES";
/** The server and an existing database to connect to while creating the run's own. */
export const adminUrl = process.env[testPostgresEnvVar] || "postgres://postgres@127.0.0.1:5432/test";
export const postgresRequired = process.env[requirePostgresEnvVar] === "1";

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's database, or why there is none. */
    postgres: { url: string } | { missing: string };
  }
}

/** Creates the run's database; the returned function drops it. */
export async function createRunDatabase(): Promise<
  { url: string; drop: () => Promise<void> } | { missing: string }
> {
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  try {
    await admin.connect();
  } catch (error) {
    return { missing: `no PostgreSQL at ${adminUrl} (${(error as Error).message})` };
  }
  const name = `jeff_test_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  try {
    // Byte order, as Jeff requires of its database whatever the server's default.
    await admin.query(
      `CREATE DATABASE ${name} TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C' ENCODING 'UTF8'`,
    );
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const again = new pg.Client({ connectionString: adminUrl });
      await again.connect();
      try {
        await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await again.end();
      }
    },
  };
}
