/**
 * DeleteFunction: without a qualifier the function goes with everything it has; with a version
 * number only that version, unless an alias still routes to it, and nothing (successfully) when the
 * function has no such version. Run inside one transaction.
 */
import type { SqlExecutor } from "../../store/index.js";
import { lambdaErrors } from "../lambda-errors.js";
import { deleteEventInvokeConfig } from "./event-invoke-config.js";
import { aliasesUsing } from "./function-aliases.js";
import { deletePolicies } from "./function-policies.js";
import { deleteFunction, type FunctionScope, findFunction } from "./function-records.js";
import { type FunctionReference, resolveTarget } from "./function-target.js";
import { deleteVersion, isVersionNumber } from "./function-versions.js";

/** Tables whose rows belong to a function and go with it. */
const ownedByFunction = [
  "lambda_function_versions",
  "lambda_aliases",
  "lambda_event_invoke_configs",
  "lambda_policies",
] as const;

export async function deleteFunctionOrVersion(
  tx: SqlExecutor,
  scope: FunctionScope,
  reference: FunctionReference,
): Promise<void> {
  const { qualifier } = reference;
  // An alias is refused before the function is looked for, as Lambda refuses it.
  if (qualifier !== undefined && qualifier !== "$LATEST" && !/^[0-9]+$/.test(qualifier))
    throw lambdaErrors.invalidParameter("Deletion of aliases is not currently supported.");
  let target: Awaited<ReturnType<typeof resolveTarget>>;
  try {
    target = await resolveTarget(tx, scope, reference);
  } catch (error) {
    // A version that is not there is deleted already, as Lambda answers, if the function is.
    if (
      qualifier !== undefined &&
      isVersionNumber(qualifier) &&
      (await findFunction(tx, scope, reference.name))
    )
      return;
    throw error;
  }
  const { fn, arn } = target;
  if (qualifier === undefined) {
    for (const table of ownedByFunction) {
      await tx.run(`DELETE FROM ${table} WHERE account_id = ? AND region = ? AND function_name = ?`, [
        scope.accountId,
        scope.region,
        fn.name,
      ]);
    }
    if (!(await deleteFunction(tx, scope, fn.name))) throw lambdaErrors.notFound(arn);
    return;
  }
  if (qualifier === "$LATEST") {
    throw lambdaErrors.invalidParameter("$LATEST version cannot be deleted without deleting the function.");
  }
  const users = await aliasesUsing(tx, scope, fn.name, qualifier);
  if (users.length > 0) throw lambdaErrors.versionInUse(users);
  await deleteVersion(tx, scope, fn.name, Number(qualifier));
  await deleteEventInvokeConfig(tx, scope, fn.name, qualifier);
  await deletePolicies(tx, scope, fn.name, qualifier);
}
