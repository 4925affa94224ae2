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
];
