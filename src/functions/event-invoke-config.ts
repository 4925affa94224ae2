/**
 * How asynchronous invocations of a function are retried and where their outcomes go:
 * Put/Get/DeleteFunctionEventInvokeConfig, with Lambda's bounds and defaults. Each qualifier
 * (`$LATEST`, a version, an alias) has its own; an unqualified request means `$LATEST`.
 */
import type { SqlExecutor } from "../store/index.js";
import type { FunctionScope } from "./function-records.js";
import { lambdaErrors } from "./lambda-errors.js";

export interface EventInvokeConfig {
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeSeconds: number;
  /** Destination ARNs; only functions are delivered to today. */
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
  if (!row) return undefined;
  return {
    maximumRetryAttempts: Number(row.maximum_retry_attempts ?? asyncDefaults.maximumRetryAttempts),
    maximumEventAgeSeconds: Number(row.maximum_event_age_seconds ?? asyncDefaults.maximumEventAgeSeconds),
    ...(row.on_success ? { onSuccess: row.on_success } : {}),
    ...(row.on_failure ? { onFailure: row.on_failure } : {}),
    lastModified: new Date(row.last_modified),
  };
}

function destination(input: Record<string, unknown>, which: "OnSuccess" | "OnFailure"): string | undefined {
  const config = (input.DestinationConfig as Record<string, { Destination?: unknown }> | undefined)?.[which];
  const arn = config?.Destination;
  if (arn === undefined) return undefined;
  if (
    typeof arn !== "string" ||
    !/^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[a-zA-Z0-9-_]+$/.test(arn)
  ) {
    throw lambdaErrors.invalidParameter(
      `The destination ARN ${String(arn)} is invalid: Jeff delivers ${which} to functions (arn:aws:lambda:REGION:ACCOUNT:function:NAME) for now`,
    );
  }
  return arn;
}

function bounded(
  input: Record<string, unknown>,
  field: string,
  member: string,
  min: number,
  max: number,
): number | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw lambdaErrors.validation(member, value, `Member must have value between ${min} and ${max}`);
  }
  return value;
}

/** Reads a Put request's settings; Lambda's bounds: retries 0–2, event age 60–21,600 s. */
export function readEventInvokeConfig(input: Record<string, unknown>): EventInvokeConfig {
  const onSuccess = destination(input, "OnSuccess");
  const onFailure = destination(input, "OnFailure");
  return {
    maximumRetryAttempts:
      bounded(input, "MaximumRetryAttempts", "maximumRetryAttempts", 0, 2) ??
      asyncDefaults.maximumRetryAttempts,
    maximumEventAgeSeconds:
      bounded(input, "MaximumEventAgeInSeconds", "maximumEventAgeInSeconds", 60, 21_600) ??
      asyncDefaults.maximumEventAgeSeconds,
    ...(onSuccess ? { onSuccess } : {}),
    ...(onFailure ? { onFailure } : {}),
  };
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
      config.maximumRetryAttempts,
      config.maximumEventAgeSeconds,
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
    MaximumRetryAttempts: config.maximumRetryAttempts,
    MaximumEventAgeInSeconds: config.maximumEventAgeSeconds,
    LastModified: (config.lastModified ?? new Date()).getTime() / 1000,
    DestinationConfig: {
      OnSuccess: config.onSuccess ? { Destination: config.onSuccess } : {},
      OnFailure: config.onFailure ? { Destination: config.onFailure } : {},
    },
  };
}
