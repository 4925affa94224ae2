import pg from "pg";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import { adminUrl, postgresRequired, requirePostgresEnvVar } from "./test/postgres-run.js";

/**
 * Tests that touch the store run on both engines: once on SQLite (the `sqlite` project, with every
 * other test) and once more on PostgreSQL (the `postgres` project: the engine's own suites, the
 * integration tests, and the unit tests that open a store), Kysely's habit of one suite for every
 * dialect. Without a PostgreSQL server the second project is left out, and the run says so.
 */
const storeTouching = [
  "test/integration/**/*.test.ts",
  "test/conformance/lambda-recorded.test.ts",
  "test/conformance/events-recorded.test.ts",
  "src/functions/async/async-events-migration.test.ts",
  "src/functions/code/code-packages.test.ts",
  "src/functions/code/code-sweep.test.ts",
  "src/functions/records/function-cache.test.ts",
  "src/identity/cached-credentials.test.ts",
  "src/identity/role-sessions.test.ts",
  "src/logs/log-store.test.ts",
  "src/operations/audit-trail.test.ts",
  "src/operations/call-path.test.ts",
  "src/server/store-upgrades.test.ts",
  "src/server/subsystems.test.ts",
  "src/stacks/stack-operation-job.test.ts",
];
/** The engine's own suites, which only the postgres project runs. */
const postgresOnly = ["src/**/*postgres*.test.ts"];

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return true;
  } catch (error) {
    if (postgresRequired) {
      throw new Error(
        `${requirePostgresEnvVar}=1, but no PostgreSQL answers at ${adminUrl}: ${(error as Error).message}`,
      );
    }
    process.stderr.write(
      `⚠ no PostgreSQL at ${adminUrl}: the postgres runs are skipped (set $JEFF_TEST_POSTGRES to a server's URL)\n`,
    );
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const env = {
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  JEFF_STORE_GUARD: "1",
  JEFF_ISOLATION: process.env.JEFF_ISOLATION ?? "auto",
};

export default defineConfig(async () => {
  const withPostgres = await postgresReachable();
  return {
    test: {
      // Deadlines only, so a hung test fails rather than hangs: tests wait for conditions, never
      // for time, and a busy two-core machine takes several times longer to start servers and
      // function environments than an idle one.
      testTimeout: 120_000,
      hookTimeout: 120_000,
      pool: "forks" as const,
      // JEFF_STORE_GUARD: every store in the tests (and in the servers they start) refuses
      // nested use instead of hanging, so a mistake fails loudly.
      // JEFF_ISOLATION: functions run in the sandbox where this machine can build one; .ci/run
      // sets `sandbox`, so CI fails rather than quietly testing the weaker mode.
      env,
      globalSetup: ["test/global-setup.ts"],
      projects: [
        {
          extends: true as const,
          test: {
            name: "sqlite",
            include: ["src/**/*.test.ts", "test/**/*.test.ts"],
            exclude: postgresOnly,
          },
        },
        ...(withPostgres
          ? [
              {
                extends: true as const,
                test: {
                  name: "postgres",
                  include: [...postgresOnly, ...storeTouching],
                  env: { ...env, JEFF_TEST_ENGINE: "postgres" },
                },
              },
            ]
          : []),
      ] satisfies TestProjectInlineConfiguration[],
    },
  };
});
