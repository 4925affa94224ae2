/** Function configurations as the store holds them, and as the Lambda API describes them. */
import { createHash, randomUUID } from "node:crypto";
import type { SqlExecutor } from "../../store/index.js";
import type { StoredCode } from "../code/index.js";
import { lambdaErrors } from "../lambda-errors.js";
import type { FunctionOptions, FunctionSettings } from "./function-config.js";

export interface FunctionScope {
  readonly accountId: string;
  readonly region: string;
}

export interface FunctionRecord {
  readonly name: string;
  readonly arn: string;
  readonly runtime: string;
  readonly handler: string;
  readonly role: string;
  readonly description: string;
  readonly timeout: number;
  readonly memorySize: number;
  readonly environment: Readonly<Record<string, string>>;
  /** What Lambda takes and returns that Jeff keeps as given (`function-config.ts`). */
  readonly options: FunctionOptions;
  readonly codeDir: string;
  readonly codeSha256: string;
  readonly codeSize: number;
  readonly revisionId: string;
  readonly lastModified: Date;
  /** The function's tags (the function's, shared by its versions). */
  readonly tags: Readonly<Record<string, string>>;
  /** PutFunctionConcurrency's ReservedConcurrentExecutions; undefined when none is reserved. */
  readonly reservedConcurrency?: number;
  /**
   * Until when (ms since the epoch) the last UpdateFunctionCode or UpdateFunctionConfiguration is
   * InProgress, as on Lambda, where an update takes a while; undefined when none is.
   */
  readonly updateEndsAt?: number;
}

/** The columns a function's row and a published version's row share: a configuration and its code. */
export interface ConfigurationRow {
  runtime: string;
  handler: string;
  role: string;
  description: string;
  timeout: number;
  memory_size: number;
  environment: string;
  options: string;
  code_dir: string;
  code_sha256: string;
  code_size: number;
  revision_id: string;
  last_modified: string;
}

interface FunctionRow extends ConfigurationRow {
  name: string;
  arn: string;
  reserved_concurrency: number | null;
  update_ends_at: number | string | null;
  tags: string | null;
}

/** The record fields a configuration row holds. */
export function configurationOf(row: ConfigurationRow) {
  return {
    runtime: row.runtime,
    handler: row.handler,
    role: row.role,
    description: row.description,
    timeout: Number(row.timeout),
    memorySize: Number(row.memory_size),
    environment: JSON.parse(row.environment) as Record<string, string>,
    options: JSON.parse(row.options) as FunctionOptions,
    codeDir: row.code_dir,
    codeSha256: row.code_sha256,
    codeSize: Number(row.code_size),
    revisionId: row.revision_id,
    lastModified: new Date(row.last_modified),
  };
}

function toRecord(row: FunctionRow): FunctionRecord {
  return {
    name: row.name,
    arn: row.arn,
    ...configurationOf(row),
    tags: row.tags ? (JSON.parse(row.tags) as Record<string, string>) : {},
    ...(row.reserved_concurrency !== null ? { reservedConcurrency: Number(row.reserved_concurrency) } : {}),
    ...(row.update_ends_at !== null ? { updateEndsAt: Number(row.update_ends_at) } : {}),
  };
}

/** The code fields of a record, from code just stored. */
export function codeFieldsOf(code: StoredCode): Pick<FunctionRecord, "codeDir" | "codeSha256" | "codeSize"> {
  return { codeDir: code.dir, codeSha256: code.sha256, codeSize: code.size };
}

/** A function about to be created: its settings and tags, its stored code, a first revision. */
export function newFunctionRecord(
  scope: FunctionScope,
  name: string,
  settings: FunctionSettings & { readonly tags: Readonly<Record<string, string>> },
  code: StoredCode,
  reservedConcurrency?: number,
): FunctionRecord {
  return {
    ...settings,
    name,
    arn: functionArn(scope, name),
    ...codeFieldsOf(code),
    revisionId: randomUUID(),
    lastModified: new Date(),
    ...(reservedConcurrency !== undefined ? { reservedConcurrency } : {}),
  };
}

export function functionArn(scope: FunctionScope, name: string): string {
  return `arn:aws:lambda:${scope.region}:${scope.accountId}:function:${name}`;
}

export async function findFunction(
  db: SqlExecutor,
  scope: FunctionScope,
  name: string,
): Promise<FunctionRecord | undefined> {
  const row = await db.get<FunctionRow>(
    "SELECT * FROM lambda_functions WHERE account_id = ? AND region = ? AND name = ?",
    [scope.accountId, scope.region, name],
  );
  return row ? toRecord(row) : undefined;
}

/** Functions in name order after `after`, at most `limit`. */
export async function listFunctions(
  db: SqlExecutor,
  scope: FunctionScope,
  after: string,
  limit: number,
): Promise<FunctionRecord[]> {
  const rows = await db.all<FunctionRow>(
    "SELECT * FROM lambda_functions WHERE account_id = ? AND region = ? AND name > ? ORDER BY name LIMIT ?",
    [scope.accountId, scope.region, after, limit],
  );
  return rows.map(toRecord);
}

/** The ConfigurationRow columns, in the order `configurationValues` gives them. */
export const configurationColumns = [
  "runtime",
  "handler",
  "role",
  "description",
  "timeout",
  "memory_size",
  "environment",
  "options",
  "code_dir",
  "code_sha256",
  "code_size",
  "revision_id",
  "last_modified",
] as const;

export function configurationValues(record: FunctionRecord) {
  return [
    record.runtime,
    record.handler,
    record.role,
    record.description,
    record.timeout,
    record.memorySize,
    JSON.stringify(record.environment),
    JSON.stringify(record.options),
    record.codeDir,
    record.codeSha256,
    record.codeSize,
    record.revisionId,
    record.lastModified.toISOString(),
  ];
}

const columns = [...configurationColumns, "reserved_concurrency", "update_ends_at", "tags"] as const;
/** What replaceFunction writes: every column but the last, `tags`. */
const replaced = columns.slice(0, -1);

function values(record: FunctionRecord) {
  return [
    ...configurationValues(record),
    record.reservedConcurrency ?? null,
    record.updateEndsAt ?? null,
    Object.keys(record.tags).length > 0 ? JSON.stringify(record.tags) : null,
  ];
}

export async function insertFunction(
  db: SqlExecutor,
  scope: FunctionScope,
  record: FunctionRecord,
): Promise<void> {
  await db.run(
    `INSERT INTO lambda_functions (account_id, region, name, arn, ${columns.join(", ")})
     VALUES (?, ?, ?, ?, ${columns.map(() => "?").join(", ")})`,
    [scope.accountId, scope.region, record.name, record.arn, ...values(record)],
  );
}

/**
 * Replaces a function's configuration if its revision is still `expectedRevision`; false if it
 * moved on. Tags are left alone (saveTags writes them, with a revision of its own).
 */
export async function replaceFunction(
  db: SqlExecutor,
  scope: FunctionScope,
  record: FunctionRecord,
  expectedRevision: string,
): Promise<boolean> {
  const { changes } = await db.run(
    `UPDATE lambda_functions SET ${replaced.map((c) => `${c} = ?`).join(", ")}
     WHERE account_id = ? AND region = ? AND name = ? AND revision_id = ?`,
    [
      ...values(record).slice(0, replaced.length),
      scope.accountId,
      scope.region,
      record.name,
      expectedRevision,
    ],
  );
  return changes === 1;
}

export async function deleteFunction(db: SqlExecutor, scope: FunctionScope, name: string): Promise<boolean> {
  const { changes } = await db.run(
    "DELETE FROM lambda_functions WHERE account_id = ? AND region = ? AND name = ?",
    [scope.accountId, scope.region, name],
  );
  return changes > 0;
}

/** Lambda keeps this much of the account's concurrency unreserved. */
export const minimumUnreserved = 100;

/** Refuses reserving `value` for `name` when that would leave the account less than Lambda's minimum. */
export async function checkReservation(
  db: SqlExecutor,
  scope: FunctionScope,
  name: string,
  value: number,
  accountConcurrency: number,
): Promise<void> {
  const others = await reservedTotal(db, scope, name);
  if (accountConcurrency - others - value < minimumUnreserved) {
    throw lambdaErrors.unreservedBelowMinimum(minimumUnreserved);
  }
}

/** Reservations of every function in the account but `except`, summed. */
export async function reservedTotal(db: SqlExecutor, scope: FunctionScope, except: string): Promise<number> {
  const row = await db.get<{ total: number | null }>(
    "SELECT SUM(reserved_concurrency) AS total FROM lambda_functions WHERE account_id = ? AND region = ? AND name <> ?",
    [scope.accountId, scope.region, except],
  );
  return Number(row?.total ?? 0);
}

/** Lambda's timestamp format: `2026-11-26T17:10:00.000+0000`. */
export function lambdaTimestamp(date: Date): string {
  return date.toISOString().replace("Z", "+0000");
}

/**
 * The FunctionConfiguration shape every Lambda API returns: of `$LATEST` or of a published
 * version, under the ARN it was asked for (unqualified, or with the version or alias).
 */
export function describeFunction(
  record: FunctionRecord,
  version = "$LATEST",
  arn = record.arn,
  now = Date.now(),
) {
  const { options } = record;
  return {
    FunctionName: record.name,
    FunctionArn: arn,
    Runtime: record.runtime,
    Role: record.role,
    Handler: record.handler,
    CodeSize: record.codeSize,
    Description: record.description,
    Timeout: record.timeout,
    MemorySize: record.memorySize,
    LastModified: lambdaTimestamp(record.lastModified),
    CodeSha256: record.codeSha256,
    Version: version,
    // Answered back when the function was given one, even with no variables, as Lambda does.
    ...(Object.keys(record.environment).length > 0 || options.environmentGiven
      ? { Environment: { Variables: record.environment } }
      : {}),
    TracingConfig: { Mode: options.tracingMode ?? "PassThrough" },
    RevisionId: record.revisionId,
    State: "Active",
    ...(version === "$LATEST" && updating(record, now)
      ? updateInProgress
      : { LastUpdateStatus: "Successful" }),
    PackageType: "Zip",
    Architectures: [options.architecture ?? "x86_64"],
    EphemeralStorage: { Size: options.ephemeralStorageMb ?? 512 },
    LoggingConfig: loggingConfigOf(record),
    // SnapStart is never on (Jeff has no SnapStart); Lambda answers its off state for every function.
    SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
    RuntimeVersionConfig: { RuntimeVersionArn: runtimeVersionArn(arn, record.runtime, options.architecture) },
  };
}

/**
 * The runtime version a function runs, as Lambda names it (`arn:aws:lambda:REGION::runtime:` and
 * 64 hex digits). Jeff runs one version of each runtime per architecture, so the id is derived from
 * the two: the same for every function of that runtime, another after a change of either.
 */
export function runtimeVersionArn(functionArn: string, runtime: string, architecture = "x86_64"): string {
  const [, partition, , region] = functionArn.split(":");
  const id = createHash("sha256").update(`${runtime}\0${architecture}`).digest("hex");
  return `arn:${partition}:lambda:${region}::runtime:${id}`;
}

/**
 * A configuration as Lambda answers the call that created it (CreateFunction, or
 * UpdateFunctionCode that published a version): `Pending` while it is "being created", with no
 * LastUpdateStatus yet. Jeff's functions are ready when the call returns, so the next read says
 * `Active`; clients that wait for that (`aws lambda wait function-active-v2`) see it at once.
 * Becoming Active is a revision of its own on Lambda, so the answer's RevisionId is one the next
 * read no longer shows (recorded: TestLoggingConfig), and a conditional update with it is refused.
 */
export function asJustCreated(description: ReturnType<typeof describeFunction>) {
  const { LastUpdateStatus: _, ...rest } = description;
  return {
    ...rest,
    ...whileChanging(description),
    State: "Pending",
    StateReason: "The function is being created.",
    StateReasonCode: "Creating",
  };
}

/**
 * `$LATEST`'s RevisionId while it is being created or updated. On Lambda the change's completion
 * (`Pending` to `Active`, `InProgress` to `Successful`) is a revision of its own, so the answer to
 * the call that started it names a revision the next read no longer has; Jeff completes at once,
 * and answers the same way. A published version keeps its one revision.
 */
function whileChanging(description: ReturnType<typeof describeFunction>) {
  return description.Version === "$LATEST" ? { RevisionId: randomUUID() } : {};
}

/** `$LATEST`'s last update as Lambda describes it while it is still under way. */
const updateInProgress = {
  LastUpdateStatus: "InProgress",
  LastUpdateStatusReason: "The function is being created.",
  LastUpdateStatusReasonCode: "Creating",
} as const;

/** Whether the function's last update is still InProgress at `now`. */
export function updating(record: FunctionRecord, now = Date.now()): boolean {
  return record.updateEndsAt !== undefined && now < record.updateEndsAt;
}

/**
 * Refuses a change of `$LATEST` (another update, a new version) while its last update is still
 * InProgress, as Lambda does: clients wait for `Successful` (`aws lambda wait function-updated-v2`).
 */
export function refuseWhileUpdating(record: FunctionRecord, now = Date.now()): void {
  if (updating(record, now)) throw lambdaErrors.updateInProgress(record.arn);
}

/** A configuration as Lambda answers the update that changed it: the update `InProgress`. */
export function asJustUpdated(description: ReturnType<typeof describeFunction>) {
  return { ...description, ...whileChanging(description), ...updateInProgress };
}

/**
 * LoggingConfig as Lambda returns it: the format (Text unless set) and the log group (the
 * function's own unless set), with the log levels, which JSON logs alone carry (INFO unless set).
 */
function loggingConfigOf(record: FunctionRecord): Record<string, string> {
  const given = record.options.logging ?? {};
  const format = given.LogFormat ?? "Text";
  return {
    LogFormat: format,
    ...(format === "JSON"
      ? {
          ApplicationLogLevel: given.ApplicationLogLevel ?? "INFO",
          SystemLogLevel: given.SystemLogLevel ?? "INFO",
        }
      : {}),
    LogGroup: given.LogGroup ?? `/aws/lambda/${record.name}`,
  };
}

/**
 * Replaces a function's tags; false when the function is gone. With `revisionId` (TagResource and
 * UntagResource, which give the function a new one on Lambda) the function's revision moves too.
 */
export async function saveTags(
  db: SqlExecutor,
  scope: FunctionScope,
  name: string,
  tags: Readonly<Record<string, string>>,
  revisionId?: string,
): Promise<boolean> {
  const stored = Object.keys(tags).length > 0 ? JSON.stringify(tags) : null;
  const { changes } =
    revisionId === undefined
      ? await db.run(
          "UPDATE lambda_functions SET tags = ? WHERE account_id = ? AND region = ? AND name = ?",
          [stored, scope.accountId, scope.region, name],
        )
      : await db.run(
          "UPDATE lambda_functions SET tags = ?, revision_id = ? WHERE account_id = ? AND region = ? AND name = ?",
          [stored, revisionId, scope.accountId, scope.region, name],
        );
  return changes === 1;
}
