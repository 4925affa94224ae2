/** The functions subsystem's tables. Migration ids 400–499 belong to functions. */
import type { Migration } from "../store/index.js";

export const functionMigrations: readonly Migration[] = [
  {
    id: 400,
    name: "functions: function configurations",
    up: `
      CREATE TABLE lambda_functions (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        arn TEXT NOT NULL,
        runtime TEXT NOT NULL,
        handler TEXT NOT NULL,
        role TEXT NOT NULL,
        description TEXT NOT NULL,
        timeout INTEGER NOT NULL,
        memory_size INTEGER NOT NULL,
        environment TEXT NOT NULL,
        code_dir TEXT NOT NULL,
        code_sha256 TEXT NOT NULL,
        code_size BIGINT NOT NULL,
        revision_id TEXT NOT NULL,
        last_modified TEXT NOT NULL,
        PRIMARY KEY (account_id, region, name)
      );
    `,
  },
  {
    id: 401,
    name: "functions: reserved concurrency",
    up: "ALTER TABLE lambda_functions ADD COLUMN reserved_concurrency INTEGER",
  },
  {
    id: 402,
    name: "functions: asynchronous invocations and their configuration",
    up: `
      CREATE TABLE lambda_async_events (
        event_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        function_name TEXT NOT NULL,
        payload BYTEA NOT NULL,
        attempts INTEGER NOT NULL,
        received_at BIGINT NOT NULL,
        due_at BIGINT NOT NULL,
        lease_until BIGINT
      );
      CREATE INDEX lambda_async_events_due ON lambda_async_events (due_at);
      CREATE TABLE lambda_event_invoke_configs (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        function_name TEXT NOT NULL,
        maximum_retry_attempts INTEGER,
        maximum_event_age_seconds INTEGER,
        on_success TEXT,
        on_failure TEXT,
        last_modified TEXT NOT NULL,
        PRIMARY KEY (account_id, region, function_name)
      );
    `,
  },
];
