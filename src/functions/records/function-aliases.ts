/**
 * Aliases: names that point at a version (or `$LATEST`), optionally sending a share of
 * invocations to a second version (RoutingConfig.AdditionalVersionWeights), checked with Lambda's
 * rules and messages.
 */
import { randomUUID } from "node:crypto";
import type { SqlExecutor } from "../../store/index.js";
import { lambdaErrors } from "../lambda-errors.js";
import { limits } from "./function-config.js";
import type { FunctionScope } from "./function-records.js";

export interface AliasRecord {
  readonly name: string;
  /** A version number or `$LATEST`. */
  readonly functionVersion: string;
  readonly description: string;
  /** The second version and the share of invocations (0–1) it gets; at most one entry. */
  readonly weights?: Readonly<Record<string, number>>;
  readonly revisionId: string;
}

interface AliasRow {
  name: string;
  function_version: string;
  description: string;
  routing_config: string | null;
  revision_id: string;
}

const aliasNamePattern = /^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$/;
const functionVersionPattern = /^(\$LATEST|[0-9]+)$/;

export function checkAliasName(name: unknown): string {
  if (typeof name !== "string" || name.length < 1 || name.length > 128 || !aliasNamePattern.test(name)) {
    throw lambdaErrors.validation(
      "name",
      name,
      "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+) and have length between 1 and 128",
    );
  }
  return name;
}

export function checkFunctionVersion(version: unknown): string {
  if (typeof version !== "string" || version.length > 1024 || !functionVersionPattern.test(version)) {
    throw lambdaErrors.validation(
      "functionVersion",
      version,
      "Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)",
    );
  }
  return version;
}

export function checkDescription(description: unknown): string | undefined {
  if (description === undefined) return undefined;
  if (typeof description !== "string" || description.length > limits.description) {
    throw lambdaErrors.validation(
      "description",
      typeof description === "string" ? `${description.slice(0, 20)}…` : description,
      `Member must have length less than or equal to ${limits.description}`,
    );
  }
  return description;
}

/**
 * Reads RoutingConfig.AdditionalVersionWeights against the alias's primary version. Whether the
 * weighted version exists is the caller's check (it needs the store). Undefined: no routing.
 */
export function readWeights(
  routingConfig: unknown,
  functionVersion: string,
): Record<string, number> | undefined {
  if (routingConfig === undefined || routingConfig === null) return undefined;
  const weights = (routingConfig as { AdditionalVersionWeights?: unknown }).AdditionalVersionWeights;
  if (weights === undefined || weights === null) return undefined;
  if (typeof weights !== "object" || Array.isArray(weights)) {
    throw lambdaErrors.invalidParameter(
      "RoutingConfig.AdditionalVersionWeights must be a map of version to weight",
    );
  }
  const entries = Object.entries(weights as Record<string, unknown>);
  if (entries.length === 0) return undefined;
  if (entries.length > 1) {
    throw lambdaErrors.invalidParameter(
      "Number of items in AdditionalVersionWeights cannot be greater than 1",
    );
  }
  const [[version, weight]] = entries as [[string, unknown]];
  if (typeof weight !== "number" || !(weight >= 0 && weight <= 1)) {
    throw lambdaErrors.validation(
      "routingConfig.additionalVersionWeights",
      `{${version}=${String(weight)}}`,
      "Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]",
    );
  }
  if (!/^[0-9]+$/.test(version)) {
    throw lambdaErrors.validation(
      "routingConfig.additionalVersionWeights",
      `{${version}=${weight}}`,
      "Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]",
    );
  }
  if (version === functionVersion) {
    throw lambdaErrors.invalidParameter(
      `Invalid function version ${functionVersion}. Function version ${functionVersion} is already included in routing configuration.`,
    );
  }
  if (functionVersion === "$LATEST") {
    throw lambdaErrors.invalidParameter(
      "$LATEST is not supported for an alias pointing to more than 1 version",
    );
  }
  return { [version]: weight };
}

/** The version one invocation through the alias runs: the weighted one with its probability. */
export function pickVersion(alias: AliasRecord, random: () => number = Math.random): string {
  for (const [version, weight] of Object.entries(alias.weights ?? {})) {
    if (random() < weight) return version;
  }
  return alias.functionVersion;
}

function toAlias(row: AliasRow): AliasRecord {
  return {
    name: row.name,
    functionVersion: row.function_version,
    description: row.description,
    ...(row.routing_config ? { weights: JSON.parse(row.routing_config) as Record<string, number> } : {}),
    revisionId: row.revision_id,
  };
}

const keyOf = (scope: FunctionScope, functionName: string) => [scope.accountId, scope.region, functionName];

export async function findAlias(
  db: SqlExecutor,
  scope: FunctionScope,
  functionName: string,
  name: string,
): Promise<AliasRecord | undefined> {
  const row = await db.get<AliasRow>(
    "SELECT * FROM lambda_aliases WHERE account_id = ? AND region = ? AND function_name = ? AND name = ?",
    [...keyOf(scope, functionName), name],
  );
  return row ? toAlias(row) : undefined;
}

/** Aliases in name order after `after`, at most `limit`; only those pointing at `functionVersion` if given. */
export async function listAliases(
  db: SqlExecutor,
  scope: FunctionScope,
  functionName: string,
  options: { after: string; limit: number; functionVersion?: string },
): Promise<AliasRecord[]> {
  const byVersion = options.functionVersion !== undefined ? " AND function_version = ?" : "";
  const rows = await db.all<AliasRow>(
    `SELECT * FROM lambda_aliases WHERE account_id = ? AND region = ? AND function_name = ? AND name > ?${byVersion} ORDER BY name LIMIT ?`,
    [
      ...keyOf(scope, functionName),
      options.after,
      ...(options.functionVersion !== undefined ? [options.functionVersion] : []),
      options.limit,
    ],
  );
  return rows.map(toAlias);
}

/** Aliases that send invocations to `version`, as primary or weighted version, in name order. */
export async function aliasesUsing(
  db: SqlExecutor,
  scope: FunctionScope,
  functionName: string,
  version: string,
): Promise<string[]> {
  const rows = await db.all<AliasRow>(
    "SELECT * FROM lambda_aliases WHERE account_id = ? AND region = ? AND function_name = ? ORDER BY name",
    keyOf(scope, functionName),
  );
  return rows
    .map(toAlias)
    .filter((alias) => alias.functionVersion === version || alias.weights?.[version] !== undefined)
    .map((alias) => alias.name);
}

/** Writes an alias (new or changed) with a new RevisionId. */
export async function saveAlias(
  db: SqlExecutor,
  scope: FunctionScope,
  functionName: string,
  alias: Omit<AliasRecord, "revisionId">,
): Promise<AliasRecord> {
  const saved: AliasRecord = { ...alias, revisionId: randomUUID() };
  await db.run(
    `INSERT INTO lambda_aliases (account_id, region, function_name, name, function_version, description, routing_config, revision_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (account_id, region, function_name, name) DO UPDATE SET
       function_version = excluded.function_version, description = excluded.description,
       routing_config = excluded.routing_config, revision_id = excluded.revision_id`,
    [
      ...keyOf(scope, functionName),
      saved.name,
      saved.functionVersion,
      saved.description,
      saved.weights ? JSON.stringify(saved.weights) : null,
      saved.revisionId,
    ],
  );
  return saved;
}

export async function deleteAlias(
  db: SqlExecutor,
  scope: FunctionScope,
  functionName: string,
  name: string,
): Promise<boolean> {
  const { changes } = await db.run(
    "DELETE FROM lambda_aliases WHERE account_id = ? AND region = ? AND function_name = ? AND name = ?",
    [...keyOf(scope, functionName), name],
  );
  return changes > 0;
}

/** The AliasConfiguration shape the alias APIs return. */
export function describeAlias(functionArn: string, alias: AliasRecord) {
  return {
    AliasArn: `${functionArn}:${alias.name}`,
    Name: alias.name,
    FunctionVersion: alias.functionVersion,
    Description: alias.description,
    ...(alias.weights ? { RoutingConfig: { AdditionalVersionWeights: alias.weights } } : {}),
    RevisionId: alias.revisionId,
  };
}
