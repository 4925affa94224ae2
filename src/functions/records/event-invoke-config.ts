/**
 * How asynchronous invocations of a function are retried and where their outcomes go:
 * Put/Get/Update/Delete/ListFunctionEventInvokeConfig(s), with Lambda's bounds and defaults. Each qualifier
 * (`$LATEST`, a version, an alias) has its own; an unqualified request means `$LATEST`.
 */
import type { CallTransaction } from "../../protocol/index.js";
import type { SqlExecutor } from "../../store/index.js";
import { lambdaErrors } from "../lambda-errors.js";
import type { FunctionScope } from "./function-records.js";

/**
 * A qualifier's configuration as set: a member Put did not give is unset (Lambda answers without
 * it, and invocations use Lambda's default, `asyncDefaults`).
 */
export interface EventInvokeConfig {
  readonly maximumRetryAttempts?: number;
  readonly maximumEventAgeSeconds?: number;
  /** Destination ARNs: functions of the same account and region, perhaps with a version or alias. */
  readonly onSuccess?: string;
  readonly onFailure?: string;
  readonly lastModified?: Date;
}

export const asyncDefaults = { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21_600 } as const;

interface ConfigRow {
  maximum_retry_attempts: number | null;
  maximum_event_age_seconds: number | null;
  on_success: string | null;
  on_failure: string | null;
  last_modified: string;
}

function fromRow(row: ConfigRow): EventInvokeConfig {
  return {
    ...(row.maximum_retry_attempts !== null
      ? { maximumRetryAttempts: Number(row.maximum_retry_attempts) }
      : {}),
    ...(row.maximum_event_age_seconds !== null
      ? { maximumEventAgeSeconds: Number(row.maximum_event_age_seconds) }
      : {}),
    ...(row.on_success ? { onSuccess: row.on_success } : {}),
    ...(row.on_failure ? { onFailure: row.on_failure } : {}),
    lastModified: new Date(row.last_modified),
  };
}

export async function findEventInvokeConfig(
  db: SqlExecutor,
  scope: FunctionScope,
  name: string,
  qualifier: string,
): Promise<EventInvokeConfig | undefined> {
  const row = await db.get<ConfigRow>(
    "SELECT * FROM lambda_event_invoke_configs WHERE account_id = ? AND region = ? AND function_name = ? AND qualifier = ?",
    [scope.accountId, scope.region, name, qualifier],
  );
  return row ? fromRow(row) : undefined;
}

/** A destination as given: an ARN to set, null to clear it, undefined when the request leaves it alone. */
type DestinationChange = string | null | undefined;

const functionDestination =
  /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:[a-zA-Z0-9-_]+(?::(?:\$LATEST|[a-zA-Z0-9-_]+))?$/;

/** An EventBridge bus: `arn:aws:events:REGION:ACCOUNT:event-bus/NAME`. */
const busDestination = /^arn:aws[a-zA-Z-]*:events:([a-z0-9-]+):(\d{12}):event-bus\/[A-Za-z0-9._\-/]{1,256}$/;

/** The services Lambda delivers to: functions and buses, and queues and topics, which Jeff has not yet. */
const destinationServices = /^arn:aws[a-zA-Z-]*:(lambda|sqs|sns|events):/;

/** One member as Lambda's message prints it: `OnSuccess(destination=ARN)`, or `null`. */
function destinationPart(destinations: Record<string, unknown>, which: "OnSuccess" | "OnFailure"): string {
  const arn = (destinations[which] as { Destination?: unknown } | null | undefined)?.Destination;
  return typeof arn === "string" && arn !== "" ? `${which}(destination=${arn})` : "null";
}

/**
 * `DestinationConfig.OnSuccess|OnFailure.Destination`: a function of the caller's own account and
 * region, unqualified or with a version or alias (`…:function:NAME:QUALIFIER`), or an EventBridge
 * bus of theirs (`…:event-bus/NAME`; one that does not exist takes the records, as on AWS). An empty
 * `Destination` (or none inside the member) clears it; a missing member leaves it as it is.
 */
function destination(
  input: Record<string, unknown>,
  which: "OnSuccess" | "OnFailure",
  scope: FunctionScope,
): DestinationChange {
  const destinations = input.DestinationConfig as Record<string, unknown> | undefined;
  if (destinations === undefined || destinations === null || !(which in destinations)) return undefined;
  const arn = (destinations[which] as { Destination?: unknown } | null | undefined)?.Destination;
  if (arn === undefined || arn === null || arn === "") return null;
  const match = typeof arn === "string" ? (functionDestination.exec(arn) ?? busDestination.exec(arn)) : null;
  if (!match && !destinationServices.test(String(arn))) {
    // Not a destination on Lambda either: Lambda's words, naming both members as it does.
    throw lambdaErrors.invalidParameter(
      `The provided destination config DestinationConfig(onSuccess=${destinationPart(destinations, "OnSuccess")}, onFailure=${destinationPart(destinations, "OnFailure")}) is invalid.`,
    );
  }
  if (!match) {
    throw lambdaErrors.invalidParameter(
      `The destination ARN ${String(arn)} in DestinationConfig.${which} is invalid: Jeff delivers to functions (arn:aws:lambda:REGION:ACCOUNT:function:NAME, optionally :VERSION or :ALIAS) and event buses (arn:aws:events:REGION:ACCOUNT:event-bus/NAME) for now`,
    );
  }
  if (match[1] !== scope.region || match[2] !== scope.accountId) {
    throw lambdaErrors.invalidParameter(
      `The destination ARN ${String(arn)} in DestinationConfig.${which} is invalid: the ${functionDestination.test(arn as string) ? "function" : "bus"} must be in this account (${scope.accountId}) and region (${scope.region})`,
    );
  }
  return arn as string;
}

/**
 * The function destinations a Put or Update names must be there, and not be the function itself
 * (Lambda refuses both); `functionName` is the function being configured.
 */
export async function checkDestinationFunctions(
  db: SqlExecutor,
  scope: FunctionScope,
  functionName: string,
  input: Record<string, unknown>,
): Promise<void> {
  const destinations = (input.DestinationConfig ?? {}) as Record<string, { Destination?: unknown } | null>;
  for (const which of ["OnSuccess", "OnFailure"] as const) {
    const arn = destinations[which]?.Destination;
    if (typeof arn !== "string" || !functionDestination.test(arn)) continue;
    const name = arn.split(":")[6]!;
    if (name === functionName)
      throw lambdaErrors.invalidParameter("You can't specify the function as a destination for itself.");
    const found = await db.get<{ name: string }>(
      "SELECT name FROM lambda_functions WHERE account_id = ? AND region = ? AND name = ?",
      [scope.accountId, scope.region, name],
    );
    if (!found) throw lambdaErrors.invalidParameter(`The destination ARN ${arn} is invalid.`);
  }
}

function bounded(
  input: Record<string, unknown>,
  field: string,
  member: string,
  min: number,
  max: number,
): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw lambdaErrors.validation(member, value, `Member must have value between ${min} and ${max}`);
  }
  return value;
}

/** What a Put or Update request says, each field undefined where the request does not mention it. */
interface EventInvokeConfigChanges {
  readonly maximumRetryAttempts: number | undefined;
  readonly maximumEventAgeSeconds: number | undefined;
  readonly onSuccess: DestinationChange;
  readonly onFailure: DestinationChange;
}

/**
 * Lambda's bounds: retries 0–2, event age 60–21,600 s; destinations as `destination` reads them. A
 * request must set something, which Lambda checks before it looks for the function.
 */
function readChanges(input: Record<string, unknown>, scope: FunctionScope): EventInvokeConfigChanges {
  if (
    input.MaximumRetryAttempts === undefined &&
    input.MaximumEventAgeInSeconds === undefined &&
    input.DestinationConfig === undefined
  ) {
    throw lambdaErrors.invalidParameter(
      "You must specify at least one of error handling or destination setting.",
    );
  }
  return {
    maximumRetryAttempts: bounded(input, "MaximumRetryAttempts", "maximumRetryAttempts", 0, 2),
    maximumEventAgeSeconds: bounded(
      input,
      "MaximumEventAgeInSeconds",
      "maximumEventAgeInSeconds",
      60,
      21_600,
    ),
    onSuccess: destination(input, "OnSuccess", scope),
    onFailure: destination(input, "OnFailure", scope),
  };
}

/** `changes` applied to `base`: what is given replaces, what is not stays. */
function merged(base: EventInvokeConfig, changes: EventInvokeConfigChanges): EventInvokeConfig {
  const onSuccess = changes.onSuccess === undefined ? base.onSuccess : (changes.onSuccess ?? undefined);
  const onFailure = changes.onFailure === undefined ? base.onFailure : (changes.onFailure ?? undefined);
  const maximumRetryAttempts = changes.maximumRetryAttempts ?? base.maximumRetryAttempts;
  const maximumEventAgeSeconds = changes.maximumEventAgeSeconds ?? base.maximumEventAgeSeconds;
  return {
    ...(maximumRetryAttempts !== undefined ? { maximumRetryAttempts } : {}),
    ...(maximumEventAgeSeconds !== undefined ? { maximumEventAgeSeconds } : {}),
    ...(onSuccess ? { onSuccess } : {}),
    ...(onFailure ? { onFailure } : {}),
  };
}

/**
 * Reads a Put request: the whole configuration, and nothing of what it leaves out (Put replaces;
 * a setting not given is removed, and invocations use Lambda's default for it).
 */
export function readEventInvokeConfig(
  input: Record<string, unknown>,
  scope: FunctionScope,
): EventInvokeConfig {
  return merged({}, readChanges(input, scope));
}

/**
 * UpdateFunctionEventInvokeConfig's step: the settings the request gives merged into the
 * qualifier's configuration, written in one transaction; `missing()` is thrown inside it (nothing
 * written, the call recorded as failed) when the qualifier has none. The request is read before anything is looked up, so a bad one changes nothing.
 */
export async function updateEventInvokeConfig(
  transaction: CallTransaction,
  scope: FunctionScope,
  name: string,
  qualifier: string,
  input: Record<string, unknown>,
  missing: () => Error,
): Promise<EventInvokeConfig> {
  const changes = readChanges(input, scope);
  return transaction(async (tx) => {
    const current = await findEventInvokeConfig(tx, scope, name, qualifier);
    if (!current) throw missing();
    const next = merged(current, changes);
    const lastModified = await putEventInvokeConfig(tx, scope, name, qualifier, next);
    return { ...next, lastModified };
  });
}

/** A function's configurations in qualifier order after `after`, at most `limit`. */
export async function listEventInvokeConfigs(
  db: SqlExecutor,
  scope: FunctionScope,
  name: string,
  after: string,
  limit: number,
): Promise<Array<EventInvokeConfig & { qualifier: string }>> {
  const rows = await db.all<ConfigRow & { qualifier: string }>(
    "SELECT * FROM lambda_event_invoke_configs WHERE account_id = ? AND region = ? AND function_name = ? AND qualifier > ? ORDER BY qualifier LIMIT ?",
    [scope.accountId, scope.region, name, after, limit],
  );
  return rows.map((row) => ({ ...fromRow(row), qualifier: row.qualifier }));
}

export async function putEventInvokeConfig(
  db: SqlExecutor,
  scope: FunctionScope,
  name: string,
  qualifier: string,
  config: EventInvokeConfig,
): Promise<Date> {
  const now = new Date();
  await db.run(
    `INSERT INTO lambda_event_invoke_configs (account_id, region, function_name, qualifier, maximum_retry_attempts, maximum_event_age_seconds, on_success, on_failure, last_modified)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (account_id, region, function_name, qualifier) DO UPDATE SET
       maximum_retry_attempts = excluded.maximum_retry_attempts, maximum_event_age_seconds = excluded.maximum_event_age_seconds,
       on_success = excluded.on_success, on_failure = excluded.on_failure, last_modified = excluded.last_modified`,
    [
      scope.accountId,
      scope.region,
      name,
      qualifier,
      config.maximumRetryAttempts ?? null,
      config.maximumEventAgeSeconds ?? null,
      config.onSuccess ?? null,
      config.onFailure ?? null,
      now.toISOString(),
    ],
  );
  return now;
}

/** Deletes the configuration of one qualifier, or of every qualifier when `qualifier` is undefined. */
export async function deleteEventInvokeConfig(
  db: SqlExecutor,
  scope: FunctionScope,
  name: string,
  qualifier: string | undefined,
): Promise<boolean> {
  const { changes } = await db.run(
    `DELETE FROM lambda_event_invoke_configs WHERE account_id = ? AND region = ? AND function_name = ?${qualifier !== undefined ? " AND qualifier = ?" : ""}`,
    [scope.accountId, scope.region, name, ...(qualifier !== undefined ? [qualifier] : [])],
  );
  return changes > 0;
}

/** `functionArn` is unqualified; the answer names the qualifier the configuration belongs to. */
export function describeEventInvokeConfig(functionArn: string, qualifier: string, config: EventInvokeConfig) {
  return {
    FunctionArn: `${functionArn}:${qualifier}`,
    ...(config.maximumRetryAttempts !== undefined
      ? { MaximumRetryAttempts: config.maximumRetryAttempts }
      : {}),
    ...(config.maximumEventAgeSeconds !== undefined
      ? { MaximumEventAgeInSeconds: config.maximumEventAgeSeconds }
      : {}),
    LastModified: (config.lastModified ?? new Date()).getTime() / 1000,
    DestinationConfig: {
      OnSuccess: config.onSuccess ? { Destination: config.onSuccess } : {},
      OnFailure: config.onFailure ? { Destination: config.onFailure } : {},
    },
  };
}
