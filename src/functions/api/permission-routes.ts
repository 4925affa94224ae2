/**
 * AddPermission, GetPolicy and RemovePermission (`…/functions/{FunctionName}/policy`): the
 * resource-based policy of a function, a version or an alias, with Lambda's statements, checks and
 * messages. Jeff keeps them and answers them; it has one account, so no statement opens a function
 * to anyone it was closed to.
 */
import { mutates, type RestRoute, reads } from "../../protocol/index.js";
import type { SqlExecutor, Store } from "../../store/index.js";
import { lambdaErrors } from "../lambda-errors.js";
import {
  type FunctionReference,
  type FunctionScope,
  findAlias,
  findFunction,
  findPolicy,
  findVersion,
  functionArn,
  isVersionNumber,
  type PolicyStatement,
  policyDocument,
  referenceOf,
  savePolicy,
} from "../records/index.js";
import { jsonBody, onFunction, scopeOf } from "./lambda-request.js";

/** Lambda's limit on a function's policy document, in bytes. */
const policyLimit = 20_480;

const aliasName = /^(?!^[0-9]+$)[a-zA-Z0-9-_]+$/;

/**
 * The function, version or alias a policy belongs to, and the RevisionId a request must give when it
 * has no policy yet. `missing` words the answer for a function that is not there.
 */
async function policyTarget(
  db: SqlExecutor,
  scope: FunctionScope,
  reference: FunctionReference,
  missing: (arn: string) => Error,
): Promise<{ arn: string; revisionId: string }> {
  const { name, qualifier } = reference;
  const base = functionArn(scope, name);
  const arn = qualifier === undefined ? base : `${base}:${qualifier}`;
  const fn = await findFunction(db, scope, name);
  if (!fn) throw missing(arn);
  if (qualifier === undefined) return { arn, revisionId: fn.revisionId };
  if (aliasName.test(qualifier)) {
    const alias = await findAlias(db, scope, name, qualifier);
    if (!alias) throw lambdaErrors.aliasNotFound(arn);
    return { arn, revisionId: alias.revisionId };
  }
  const version = isVersionNumber(qualifier)
    ? await findVersion(db, scope, fn, Number(qualifier))
    : undefined;
  if (!version) throw lambdaErrors.notFound(arn);
  return { arn, revisionId: version.record.revisionId };
}

/** The statement's Principal as Lambda writes it, or the InvalidParameterValueException it earns. */
function principalOf(principal: string, partition: string): unknown {
  if (principal === "*") return "*";
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:${partition}:iam::${principal}:root` };
  if (/^arn:aws[a-zA-Z-]*:(iam|sts)::\d{12}:\S+$/.test(principal)) return { AWS: principal };
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazon(aws)?\.com$/.test(principal)) return { Service: principal };
  throw lambdaErrors.invalidParameter(
    "The provided principal was invalid. Please check the principal and try again.",
  );
}

const optionalString = (value: unknown): string | undefined =>
  typeof value === "string" ? value : undefined;

/** The statement AddPermission adds, its conditions in the order Lambda writes them. */
function statementOf(input: Record<string, unknown>, resource: string): PolicyStatement {
  const action = String(input.Action);
  const sourceArn = optionalString(input.SourceArn);
  const authType = optionalString(input.FunctionUrlAuthType);
  if (authType !== undefined && action !== "lambda:InvokeFunctionUrl") {
    throw lambdaErrors.invalidParameter(
      "FunctionUrlAuthType is only supported for lambda:InvokeFunctionUrl action",
    );
  }
  const equals: Record<string, string> = {};
  const account = optionalString(input.SourceAccount);
  if (account !== undefined) equals["AWS:SourceAccount"] = account;
  if (authType !== undefined) equals["lambda:FunctionUrlAuthType"] = authType;
  const org = optionalString(input.PrincipalOrgID);
  if (org !== undefined) equals["aws:PrincipalOrgID"] = org;
  const token = optionalString(input.EventSourceToken);
  if (token !== undefined) equals["lambda:EventSourceToken"] = token;
  const condition = {
    ...(Object.keys(equals).length > 0 ? { StringEquals: equals } : {}),
    ...(sourceArn !== undefined ? { ArnLike: { "AWS:SourceArn": sourceArn } } : {}),
  };
  return {
    Sid: String(input.StatementId),
    Effect: "Allow",
    Principal: principalOf(String(input.Principal), resource.split(":")[1] ?? "aws"),
    Action: action,
    Resource: resource,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

/**
 * AddPermission's work, for the API and for templates (`AWS::Lambda::Permission`): the statement
 * added to the policy of the function, version or alias `reference` names, as Lambda writes it.
 */
async function addPermission(
  tx: SqlExecutor,
  scope: FunctionScope,
  reference: FunctionReference,
  input: Record<string, unknown>,
): Promise<PolicyStatement> {
  if (reference.qualifier === "$LATEST")
    throw lambdaErrors.invalidParameter("We currently do not support adding policies for $LATEST.");
  const target = await policyTarget(tx, scope, reference, lambdaErrors.notFound);
  const added = statementOf(input, target.arn);
  const policy = await findPolicy(tx, scope, reference.name, reference.qualifier);
  const revisionId = policy?.revisionId ?? target.revisionId;
  if (input.RevisionId !== undefined && input.RevisionId !== revisionId)
    throw lambdaErrors.policyPreconditionFailed();
  const statements = policy?.statements ?? [];
  if (statements.some((s) => s.Sid === added.Sid)) throw lambdaErrors.statementExists(added.Sid);
  const next = [...statements, added];
  const size = JSON.stringify(policyDocument({ statements: next, revisionId })).length;
  if (size > policyLimit) throw lambdaErrors.policyTooLong(size, policyLimit);
  await savePolicy(tx, scope, reference.name, reference.qualifier, next);
  return added;
}

/** RemovePermission's work: statement `sid` out of the policy (`expected`: its RevisionId, if given). */
async function removePermission(
  tx: SqlExecutor,
  scope: FunctionScope,
  reference: FunctionReference,
  sid: string,
  expected: string | undefined,
): Promise<void> {
  await policyTarget(tx, scope, reference, lambdaErrors.noPolicyFor);
  const policy = await findPolicy(tx, scope, reference.name, reference.qualifier);
  if (!policy) throw lambdaErrors.noPolicy();
  if (expected !== undefined && expected !== policy.revisionId) throw lambdaErrors.policyPreconditionFailed();
  const kept = policy.statements.filter((s) => s.Sid !== sid);
  if (kept.length === policy.statements.length) throw lambdaErrors.noStatement(sid);
  await savePolicy(tx, scope, reference.name, reference.qualifier, kept);
}

export function permissionRoutes(store: Store): RestRoute[] {
  return [
    {
      method: "POST",
      path: "/2015-03-31/functions/{FunctionName}/policy",
      operation: "AddPermission",

      ...mutates("lambda:AddPermission", onFunction),
      handler: async (req, ctx) => {
        const input = jsonBody(req);
        const scope = scopeOf(ctx);
        const reference = referenceOf(req.pathParams.FunctionName!, req.query.get("Qualifier"));
        const statement = await ctx.transaction((tx) => addPermission(tx, scope, reference, input));
        return { status: 201, body: { Statement: JSON.stringify(statement) } };
      },
    },
    {
      method: "GET",
      path: "/2015-03-31/functions/{FunctionName}/policy",
      operation: "GetPolicy",

      ...reads("lambda:GetPolicy", onFunction),
      handler: async (req, ctx) => {
        const { name, qualifier } = referenceOf(req.pathParams.FunctionName!, req.query.get("Qualifier"));
        // Lambda answers alike for a function, version or alias that is not there and one without
        // a policy.
        const policy = await findPolicy(store, scopeOf(ctx), name, qualifier);
        if (!policy) throw lambdaErrors.noSuchResource();
        return { body: { Policy: JSON.stringify(policyDocument(policy)), RevisionId: policy.revisionId } };
      },
    },
    {
      method: "DELETE",
      path: "/2015-03-31/functions/{FunctionName}/policy/{StatementId}",
      operation: "RemovePermission",

      ...mutates("lambda:RemovePermission", onFunction),
      handler: async (req, ctx) => {
        const scope = scopeOf(ctx);
        const reference = referenceOf(req.pathParams.FunctionName!, req.query.get("Qualifier"));
        const sid = req.pathParams.StatementId!;
        const expected = req.query.get("RevisionId");
        await ctx.transaction((tx) => removePermission(tx, scope, reference, sid, expected ?? undefined));
        return { status: 204 };
      },
    },
  ];
}
