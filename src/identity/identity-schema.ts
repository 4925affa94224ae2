/** The identity subsystem's tables. Migration ids 100–199 belong to identity. */
import type { Migration } from "../store/index.js";

export const identityMigrations: readonly Migration[] = [
  {
    id: 100,
    name: "identity: accounts, users, access keys",
    up: `
      CREATE TABLE iam_accounts (
        account_id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL
      );
      CREATE TABLE iam_users (
        account_id TEXT NOT NULL REFERENCES iam_accounts (account_id),
        user_name TEXT NOT NULL,
        user_id TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL,
        arn TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (account_id, user_name)
      );
      CREATE TABLE iam_access_keys (
        access_key_id TEXT PRIMARY KEY,
        secret_access_key TEXT NOT NULL,
        account_id TEXT NOT NULL REFERENCES iam_accounts (account_id),
        principal_arn TEXT NOT NULL,
        principal_id TEXT NOT NULL,
        status TEXT NOT NULL,
        session_token TEXT,
        expires_at TEXT,
        created_at TEXT NOT NULL
      );
    `,
  },
];
