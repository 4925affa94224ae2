/**
 * Published versions: immutable snapshots of `$LATEST`'s code and configuration, numbered 1, 2, …
 * per function and never renumbered (a deleted version's number is not given out again).
 */
import { createHash, randomUUID } from "node:crypto";
import type { SqlExecutor } from "../../store/index.js";
import { lambdaErrors } from "../lambda-errors.js";
import { sortedVariables } from "./function-config.js";
import {
  type ConfigurationRow,
  configurationColumns,
  configurationOf,
  configurationValues,
  type FunctionRecord,
  type FunctionScope,
  replaceFunction,
} from "./function-records.js";

/** A published version: its configuration as a FunctionRecord (unqualified ARN) and its number. */
export interface PublishedVersion {
  readonly version: number;
  readonly record: FunctionRecord;
}

interface VersionRow extends ConfigurationRow {
  version: number;
  fingerprint: string;
}

/** Versions are numbers without sign or leading zeros, as Lambda writes them. */
export function isVersionNumber(qualifier: string): boolean {
  return /^[1-9][0-9]{0,15}$/.test(qualifier);
}

/**
 * What makes two snapshots the same version: the code and everything a version freezes. Publishing
 * when this matches the newest version returns that version instead of a new one, as Lambda does.
 */
export function fingerprintOf(record: FunctionRecord): string {
  const environment = sortedVariables(record.environment);
  return createHash("sha256")
    .update(
      JSON.stringify([
        record.codeSha256,
        record.runtime,
        record.handler,
        record.role,
        record.description,
        record.timeout,
        record.memorySize,
        environment,
      ]),
    )
    .digest("hex");
}

function toVersion(fn: FunctionRecord, row: VersionRow): PublishedVersion {
  return {
    version: Number(row.version),
    record: {
      name: fn.name,
      arn: fn.arn,
      ...configurationOf(row),
      // Tags and reserved concurrency belong to the function; every version shares them.
      tags: fn.tags,
      ...(fn.reservedConcurrency !== undefined ? { reservedConcurrency: fn.reservedConcurrency } : {}),
    },
  };
}

const keyOf = (scope: FunctionScope, name: string) => [scope.accountId, scope.region, name];

export async function findVersion(
  db: SqlExecutor,
  scope: FunctionScope,
  fn: FunctionRecord,
  version: number,
): Promise<PublishedVersion | undefined> {
  const row = await db.get<VersionRow>(
    "SELECT * FROM lambda_function_versions WHERE account_id = ? AND region = ? AND function_name = ? AND version = ?",
    [...keyOf(scope, fn.name), version],
  );
  return row ? toVersion(fn, row) : undefined;
}

/** Versions in number order after `after`, at most `limit`. */
export async function listVersions(
  db: SqlExecutor,
  scope: FunctionScope,
  fn: FunctionRecord,
  after: number,
  limit: number,
): Promise<PublishedVersion[]> {
  const rows = await db.all<VersionRow>(
    "SELECT * FROM lambda_function_versions WHERE account_id = ? AND region = ? AND function_name = ? AND version > ? ORDER BY version LIMIT ?",
    [...keyOf(scope, fn.name), after, limit],
  );
  return rows.map((row) => toVersion(fn, row));
}

/**
 * Publishes `fn` (the current `$LATEST`) as the next version, or returns the newest version when
 * nothing changed since it was published. Run inside the transaction that read `fn`; `created` says
 * whether a version was added (the caller then gives `$LATEST` a new RevisionId).
 */
export async function publishVersion(
  tx: SqlExecutor,
  scope: FunctionScope,
  fn: FunctionRecord,
  description: string | undefined,
): Promise<PublishedVersion & { created: boolean }> {
  const fingerprint = fingerprintOf(fn);
  const newest = await tx.get<VersionRow>(
    "SELECT * FROM lambda_function_versions WHERE account_id = ? AND region = ? AND function_name = ? ORDER BY version DESC LIMIT 1",
    keyOf(scope, fn.name),
  );
  if (newest && newest.fingerprint === fingerprint) return { ...toVersion(fn, newest), created: false };
  await tx.run(
    "UPDATE lambda_functions SET last_version = last_version + 1 WHERE account_id = ? AND region = ? AND name = ?",
    keyOf(scope, fn.name),
  );
  const counter = await tx.get<{ last_version: number }>(
    "SELECT last_version FROM lambda_functions WHERE account_id = ? AND region = ? AND name = ?",
    keyOf(scope, fn.name),
  );
  const version = Number(counter?.last_version ?? 1);
  const record: FunctionRecord = {
    ...fn,
    description: description ?? fn.description,
    revisionId: randomUUID(),
    lastModified: new Date(),
  };
  await tx.run(
    `INSERT INTO lambda_function_versions (account_id, region, function_name, version, ${configurationColumns.join(", ")}, fingerprint)
     VALUES (?, ?, ?, ?, ${configurationColumns.map(() => "?").join(", ")}, ?)`,
    [...keyOf(scope, fn.name), version, ...configurationValues(record), fingerprint],
  );
  return { version, record, created: true };
}

export async function deleteVersion(
  db: SqlExecutor,
  scope: FunctionScope,
  name: string,
  version: number,
): Promise<boolean> {
  const { changes } = await db.run(
    "DELETE FROM lambda_function_versions WHERE account_id = ? AND region = ? AND function_name = ? AND version = ?",
    [...keyOf(scope, name), version],
  );
  return changes > 0;
}

/** The zipped size of every published version in the account, for GetAccountSettings. */
export async function versionsCodeSize(db: SqlExecutor, accountId: string): Promise<number> {
  const row = await db.get<{ size: number | null }>(
    "SELECT SUM(code_size) AS size FROM lambda_function_versions WHERE account_id = ?",
    [accountId],
  );
  return Number(row?.size ?? 0);
}

/**
 * PublishVersion's whole step, inside the caller's transaction: a new version gives `$LATEST` a
 * new RevisionId too, as Lambda does; publishing what is already the newest version changes nothing.
 */
export async function publishLatest(
  tx: SqlExecutor,
  scope: FunctionScope,
  fn: FunctionRecord,
  description: string | undefined,
): Promise<PublishedVersion> {
  const published = await publishVersion(tx, scope, fn, description);
  if (
    published.created &&
    !(await replaceFunction(tx, scope, { ...fn, revisionId: randomUUID() }, fn.revisionId))
  )
    throw lambdaErrors.preconditionFailed();
  return published;
}

/** The FunctionConfiguration of a published version, under its qualified ARN. */
export function versionArn(published: PublishedVersion): string {
  return `${published.record.arn}:${published.version}`;
}
