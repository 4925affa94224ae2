/**
 * Deployment packages in the store, so that every node can run every function: a package is kept
 * (by account and hash) when a function's code is set, and a node unpacks it into its own code
 * folder the first time one of its environments needs it. Packages no function or version names
 * any longer are removed by the housekeeping sweep.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { SqlExecutor, Store } from "../../store/index.js";
import { lambdaErrors } from "../lambda-errors.js";
import { pinCodeFolder, sweepGraceMs } from "./code-sweep.js";
import { type StoredCode, storeCode } from "./function-code.js";

export const codePackageMigrations = [
  {
    id: 407,
    name: "deployment packages in the store",
    up: `
      CREATE TABLE lambda_packages (
        account_id TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        zip BYTEA NOT NULL,
        stored_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, sha256)
      );
    `,
  },
] as const;

/** Checks and unpacks `zip` here, and keeps it in the store for the other nodes. */
export async function keepCode(
  store: Store,
  codeRoot: string,
  accountId: string,
  zip: Buffer,
): Promise<StoredCode> {
  const code = await storeCode(join(codeRoot, accountId), zip);
  // Before the function's own write: a package no function names is swept, never the reverse.
  await store.run(
    `INSERT INTO lambda_packages (account_id, sha256, zip, stored_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (account_id, sha256) DO UPDATE SET stored_at = excluded.stored_at`,
    [accountId, code.sha256, zip, Date.now()],
  );
  return code;
}

/**
 * The folder on this node holding the code whose package hash is `sha256` (base64, as Lambda
 * reports it), unpacked from the store if this node has not unpacked it yet.
 */
export async function localCode(
  store: Store,
  codeRoot: string,
  accountId: string,
  sha256: string,
): Promise<string> {
  const dir = join(codeRoot, accountId, Buffer.from(sha256, "base64").toString("hex"));
  if (existsSync(dir)) {
    pinCodeFolder(dir);
    return dir;
  }
  const row = await store.get<{ zip: Uint8Array }>(
    "SELECT zip FROM lambda_packages WHERE account_id = ? AND sha256 = ?",
    [accountId, sha256],
  );
  if (row === undefined) {
    throw lambdaErrors.service(
      "The function's code is not available on this node: it was deployed before packages were kept in the store; update its code once to share it",
    );
  }
  return (await storeCode(join(codeRoot, accountId), Buffer.from(row.zip))).dir;
}

/** Deletes packages that no function or version names, kept a while after they were stored. */
export async function sweepUnusedPackages(db: SqlExecutor, now = Date.now()): Promise<number> {
  const { changes } = await db.run(
    `DELETE FROM lambda_packages WHERE stored_at < ?
       AND NOT EXISTS (SELECT 1 FROM lambda_functions f
         WHERE f.account_id = lambda_packages.account_id AND f.code_sha256 = lambda_packages.sha256)
       AND NOT EXISTS (SELECT 1 FROM lambda_function_versions v
         WHERE v.account_id = lambda_packages.account_id AND v.code_sha256 = lambda_packages.sha256)`,
    [now - sweepGraceMs],
  );
  return changes;
}
