/**
 * Resource-based policies: the statements AddPermission grants on a function, a version or an
 * alias, each kept apart (a version's policy is not its function's), as Lambda keeps them. A
 * policy has its own RevisionId, which changes with each statement added or removed and with
 * nothing else; a policy whose last statement goes is gone.
 */
import { randomUUID } from "node:crypto";
import type { Migration, SqlExecutor } from "../../store/index.js";
import type { FunctionScope } from "./function-records.js";

export const functionPolicyMigration: Migration = {
  id: 409,
  name: "functions: resource-based policies, per function, version and alias",
  up: `
    CREATE TABLE lambda_policies (
      account_id TEXT NOT NULL,
      region TEXT NOT NULL,
      function_name TEXT NOT NULL,
      qualifier TEXT NOT NULL,
      statements TEXT NOT NULL,
      revision_id TEXT NOT NULL,
      PRIMARY KEY (account_id, region, function_name, qualifier)
    );
  `,
};

/** One statement as Lambda writes it: Sid, Effect, Principal, Action, Resource, Condition. */
export type PolicyStatement = Readonly<Record<string, unknown>> & { readonly Sid: string };

export interface FunctionPolicy {
  readonly statements: readonly PolicyStatement[];
  readonly revisionId: string;
}

/** The key of the unqualified function's policy: a qualifier no version or alias can have. */
const unqualified = "";

export async function findPolicy(
  db: SqlExecutor,
  scope: FunctionScope,
  functionName: string,
  qualifier: string | undefined,
): Promise<FunctionPolicy | undefined> {
  const row = await db.get<{ statements: string; revision_id: string }>(
    "SELECT statements, revision_id FROM lambda_policies WHERE account_id = ? AND region = ? AND function_name = ? AND qualifier = ?",
    [scope.accountId, scope.region, functionName, qualifier ?? unqualified],
  );
  if (!row) return undefined;
  return { statements: JSON.parse(row.statements) as PolicyStatement[], revisionId: row.revision_id };
}

/** Stores the statements under a new RevisionId (none left: no policy); answers that RevisionId. */
export async function savePolicy(
  db: SqlExecutor,
  scope: FunctionScope,
  functionName: string,
  qualifier: string | undefined,
  statements: readonly PolicyStatement[],
): Promise<string> {
  const key = [scope.accountId, scope.region, functionName, qualifier ?? unqualified];
  const revisionId = randomUUID();
  if (statements.length === 0) {
    await deletePolicies(db, scope, functionName, qualifier ?? unqualified);
    return revisionId;
  }
  await db.run(
    `INSERT INTO lambda_policies (account_id, region, function_name, qualifier, statements, revision_id)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (account_id, region, function_name, qualifier) DO UPDATE SET
       statements = excluded.statements, revision_id = excluded.revision_id`,
    [...key, JSON.stringify(statements), revisionId],
  );
  return revisionId;
}

/** Deletes the policy of one version or alias, or, without a qualifier, every policy of the function. */
export async function deletePolicies(
  db: SqlExecutor,
  scope: FunctionScope,
  functionName: string,
  qualifier?: string,
): Promise<void> {
  const key = [scope.accountId, scope.region, functionName];
  if (qualifier === undefined) {
    await db.run(
      "DELETE FROM lambda_policies WHERE account_id = ? AND region = ? AND function_name = ?",
      key,
    );
    return;
  }
  await db.run(
    "DELETE FROM lambda_policies WHERE account_id = ? AND region = ? AND function_name = ? AND qualifier = ?",
    [...key, qualifier],
  );
}

/** The policy document GetPolicy answers, as Lambda writes it. */
export function policyDocument(policy: FunctionPolicy) {
  return { Version: "2012-10-17", Id: "default", Statement: policy.statements };
}
