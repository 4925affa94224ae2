/**
 * Parameters as the store holds them, with SSM's rules for names, types and sizes. Both the SSM
 * API and the `AWS::SSM::Parameter` resource go through here, so they cannot disagree.
 */
import type { CallTransaction } from "../protocol/index.js";
import { type SqlExecutor, StoreConflictError } from "../store/index.js";
import { parameterErrors } from "./ssm-errors.js";

export const parameterTypes = ["String", "StringList", "SecureString"] as const;
export type ParameterType = (typeof parameterTypes)[number];

export interface Parameter {
  readonly name: string;
  readonly type: ParameterType;
  readonly value: string;
  readonly description?: string;
  readonly version: number;
  readonly lastModified: Date;
}

export interface ParameterScope {
  readonly accountId: string;
  readonly region: string;
}

export interface PutParameterInput {
  readonly name: string;
  /** Required to create; an overwrite without one keeps the parameter's type. */
  readonly type?: ParameterType;
  readonly value: string;
  readonly description?: string;
  readonly overwrite: boolean;
}

const maxValueLength = 4096;
const namePattern = /^\/?[a-zA-Z0-9_.\-/]{1,2048}$/;

export function checkParameterName(name: string): void {
  if (!namePattern.test(name) || name.includes("//") || /^\/?aws|^\/?ssm/i.test(name)) {
    throw parameterErrors.validation(
      "name",
      name,
      "Member must be 1–2048 characters of a-zA-Z0-9_.-/ and must not begin with aws or ssm",
    );
  }
}

export function checkParameterInput(input: Omit<PutParameterInput, "overwrite">): void {
  checkParameterName(input.name);
  if (input.type !== undefined && !parameterTypes.includes(input.type)) {
    throw parameterErrors.validation(
      "type",
      String(input.type),
      `Member must satisfy enum value set: [${parameterTypes.join(", ")}]`,
    );
  }
  if (input.value.length === 0 || input.value.length > maxValueLength) {
    throw parameterErrors.validation(
      "value",
      `${input.value.slice(0, 20)}…`,
      `Member must have length between 1 and ${maxValueLength}`,
    );
  }
}

interface ParameterRow {
  name: string;
  type: ParameterType;
  value: string;
  description: string | null;
  version: number;
  last_modified: string;
}

export async function getParameter(
  db: SqlExecutor,
  scope: ParameterScope,
  name: string,
): Promise<Parameter | undefined> {
  const row = await db.get<ParameterRow>(
    "SELECT name, type, value, description, version, last_modified FROM ssm_parameters WHERE account_id = ? AND region = ? AND name = ?",
    [scope.accountId, scope.region, name],
  );
  if (!row) return undefined;
  return {
    name: row.name,
    type: row.type,
    value: row.value,
    ...(row.description !== null ? { description: row.description } : {}),
    version: Number(row.version),
    lastModified: new Date(row.last_modified),
  };
}

/**
 * Creates or (with `overwrite`) replaces a parameter; resolves with `answer(newVersion)`, built in
 * the transaction so that the call's audit record carries it. Runs in one transaction, so
 * concurrent writers get consecutive versions; a create that loses a race to another create of the
 * same name gets ParameterAlreadyExists.
 */
export async function putParameter<T>(
  transaction: CallTransaction,
  scope: ParameterScope,
  input: PutParameterInput,
  answer: (version: number) => T,
): Promise<T> {
  checkParameterInput(input);
  try {
    return await transaction(async (tx) => answer(await writeParameter(tx, scope, input)));
  } catch (error) {
    if (error instanceof StoreConflictError) throw parameterErrors.alreadyExists();
    throw error;
  }
}

async function writeParameter(
  db: SqlExecutor,
  scope: ParameterScope,
  input: PutParameterInput,
): Promise<number> {
  const existing = await getParameter(db, scope, input.name);
  if (existing && !input.overwrite) throw parameterErrors.alreadyExists();
  const type = input.type ?? existing?.type;
  if (type === undefined) {
    throw parameterErrors.typeRequired();
  }
  const version = (existing?.version ?? 0) + 1;
  const now = new Date().toISOString();
  if (existing) {
    await db.run(
      "UPDATE ssm_parameters SET type = ?, value = ?, description = ?, version = ?, last_modified = ? WHERE account_id = ? AND region = ? AND name = ?",
      [
        type,
        input.value,
        input.description ?? existing.description ?? null,
        version,
        now,
        scope.accountId,
        scope.region,
        input.name,
      ],
    );
  } else {
    await db.run(
      "INSERT INTO ssm_parameters (account_id, region, name, type, value, description, version, last_modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      [scope.accountId, scope.region, input.name, type, input.value, input.description ?? null, version, now],
    );
  }
  return version;
}

export async function deleteParameter(
  db: SqlExecutor,
  scope: ParameterScope,
  name: string,
): Promise<boolean> {
  const { changes } = await db.run(
    "DELETE FROM ssm_parameters WHERE account_id = ? AND region = ? AND name = ?",
    [scope.accountId, scope.region, name],
  );
  return changes > 0;
}

export function parameterArn(scope: ParameterScope, name: string): string {
  return `arn:aws:ssm:${scope.region}:${scope.accountId}:parameter${name.startsWith("/") ? "" : "/"}${name}`;
}
