/** The parameter store's table. Migration ids 300–399 belong to parameters. */
import type { Migration } from "../store/index.js";

export const parameterMigrations: readonly Migration[] = [
  {
    id: 300,
    name: "parameters: SSM parameters",
    up: `
      CREATE TABLE ssm_parameters (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        value TEXT NOT NULL,
        description TEXT,
        version INTEGER NOT NULL,
        last_modified TEXT NOT NULL,
        PRIMARY KEY (account_id, region, name)
      );
    `,
  },
];
