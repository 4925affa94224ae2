/**
 * Deployment packages in the store, so that every node can run every function: a package is kept
 * (by account and hash) when a function's code is set, and a node unpacks it into its own code
 * folder the first time one of its environments needs it. Packages no function or version names
 * any longer are removed by the housekeeping sweep. A template names a package by its location,
 * `jeff://packages/<sha256>.zip`, which the CLI's upload answers (`package-upload.ts`).
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

const locationPattern = /^jeff:\/\/packages\/([0-9a-f]{64})\.zip$/;

/** The location a template names an uploaded package by. */
export function packageLocation(sha256Base64: string): string {
  return `jeff://packages/${Buffer.from(sha256Base64, "base64").toString("hex")}.zip`;
}

/** The package hash (base64, as Lambda reports it) a location names, if it is one. */
export function packageAt(location: string): string | undefined {
  const match = locationPattern.exec(location);
  return match ? Buffer.from(match[1]!, "hex").toString("base64") : undefined;
}

export const isPackageLocation = (value: string): boolean => value.startsWith("jeff://");

/**
 * The hash (base64, as Lambda reports it) of the uploaded package `location` names, refused
 * (naming `field`) when it is no location or names no package kept in the account.
 */
export async function keptPackage(
  store: Store,
  accountId: string,
  location: string,
  field: string,
): Promise<string> {
  const sha256 = packageAt(location);
  if (sha256 === undefined)
    throw lambdaErrors.invalidParameter(
      `${field} ${location} is not a package location: upload the code with \`jeff deploy\``,
    );
  const row = await store.get<{ kept: number }>(
    "SELECT 1 AS kept FROM lambda_packages WHERE account_id = ? AND sha256 = ?",
    [accountId, sha256],
  );
  if (row === undefined)
    throw lambdaErrors.invalidParameter(
      `${field} ${location} was not uploaded to this Jeff (or was removed as unused): deploy again with \`jeff deploy\``,
    );
  return sha256;
}

/**
 * The bucket Jeff's kept packages answer to in CreateFunction's and UpdateFunctionCode's
 * `S3Bucket`, with the key `<sha256 hex>.zip`: a package uploaded once (`jeff deploy`, or
 * `PUT /_jeff/packages`) is named by location, as a package in S3 is on AWS, rather than sent again.
 */
export const packageBucket = "jeff-packages";

/** The `S3Bucket`/`S3Key` pair naming a kept package. */
export function packageObject(sha256Base64: string): { S3Bucket: string; S3Key: string } {
  return { S3Bucket: packageBucket, S3Key: `${Buffer.from(sha256Base64, "base64").toString("hex")}.zip` };
}

/**
 * The bytes of the package an `S3Bucket`/`S3Key` pair names, refused as Lambda refuses an object
 * it cannot get: only Jeff's own bucket exists, holding the packages kept in the account.
 */
export async function packageInBucket(
  store: Store,
  accountId: string,
  bucket: unknown,
  key: unknown,
): Promise<Buffer> {
  const s3Error = (code: string, message: string) =>
    lambdaErrors.invalidParameter(
      `Error occurred while GetObject. S3 Error Code: ${code}. S3 Error Message: ${message}`,
    );
  if (bucket !== packageBucket) throw s3Error("NoSuchBucket", "The specified bucket does not exist");
  const hex = typeof key === "string" ? /^([0-9a-f]{64})\.zip$/.exec(key)?.[1] : undefined;
  const zip =
    hex === undefined
      ? undefined
      : await packageBytes(store, accountId, Buffer.from(hex, "hex").toString("base64"));
  if (zip === undefined) throw s3Error("NoSuchKey", "The specified key does not exist.");
  return zip;
}

/** The package whose hash is `sha256` (base64, as Lambda reports it) in `accountId`, if it is kept. */
export async function packageBytes(
  store: Store,
  accountId: string,
  sha256: string,
): Promise<Buffer | undefined> {
  const row = await store.get<{ zip: Uint8Array }>(
    "SELECT zip FROM lambda_packages WHERE account_id = ? AND sha256 = ?",
    [accountId, sha256],
  );
  return row === undefined ? undefined : Buffer.from(row.zip);
}

/** Checks and unpacks `zip` here, and keeps it in the store for the other nodes. */
export async function keepCode(
  store: Store,
  codeRoot: string,
  accountId: string,
  zip: Buffer,
): Promise<StoredCode> {
  const code = await storeCode(join(codeRoot, accountId), zip);
  // Before the function's own write: a package no function names is swept, never the reverse. A
  // package already kept (named by S3Key, or deployed again) is only touched, not sent again.
  const now = Date.now();
  const touched = await store.run(
    "UPDATE lambda_packages SET stored_at = ? WHERE account_id = ? AND sha256 = ?",
    [now, accountId, code.sha256],
  );
  if (touched.changes === 0)
    await store.run(
      `INSERT INTO lambda_packages (account_id, sha256, zip, stored_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (account_id, sha256) DO UPDATE SET stored_at = excluded.stored_at`,
      [accountId, code.sha256, zip, now],
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

/** A package no function or version names, stored before `since`. */
const unnamedSince = `lambda_packages.stored_at < ?
  AND NOT EXISTS (SELECT 1 FROM lambda_functions f
    WHERE f.account_id = lambda_packages.account_id AND f.code_sha256 = lambda_packages.sha256)
  AND NOT EXISTS (SELECT 1 FROM lambda_function_versions v
    WHERE v.account_id = lambda_packages.account_id AND v.code_sha256 = lambda_packages.sha256)`;

/**
 * Deletes packages that no function or version names, kept a while after they were stored, and
 * kept while `namedElsewhere` says something else names their location (a stack's template or a
 * resource's previous properties, which a rollback would read).
 */
export async function sweepUnusedPackages(
  db: SqlExecutor,
  namedElsewhere: (location: string) => Promise<boolean> = async () => false,
  now = Date.now(),
): Promise<number> {
  const since = now - sweepGraceMs;
  const candidates = await db.all<{ account_id: string; sha256: string }>(
    `SELECT account_id, sha256 FROM lambda_packages WHERE ${unnamedSince}`,
    [since],
  );
  let removed = 0;
  for (const { account_id: accountId, sha256 } of candidates) {
    if (await namedElsewhere(packageLocation(sha256))) continue;
    // Checked again as it goes: a deploy that kept it meanwhile has touched it.
    const { changes } = await db.run(
      `DELETE FROM lambda_packages WHERE account_id = ? AND sha256 = ? AND ${unnamedSince}`,
      [accountId, sha256, since],
    );
    removed += changes;
  }
  return removed;
}
