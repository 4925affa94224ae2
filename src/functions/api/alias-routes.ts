/** CreateAlias, GetAlias, UpdateAlias, DeleteAlias and ListAliases (`…/functions/{FunctionName}/aliases`). */
import { mutates, type RestRoute, reads } from "../../protocol/index.js";
import type { SqlExecutor, Store } from "../../store/index.js";
import { lambdaErrors } from "../lambda-errors.js";
import {
  checkAliasName,
  checkDescription,
  checkFunctionVersion,
  deleteAlias,
  deleteEventInvokeConfig,
  deletePolicies,
  describeAlias,
  type FunctionRecord,
  type FunctionScope,
  findAlias,
  findFunction,
  findVersion,
  functionArn,
  listAliases,
  parseFunctionName,
  readWeights,
  saveAlias,
} from "../records/index.js";
import { jsonBody, nextMarker, onFunction, pageOf, scopeOf } from "./lambda-request.js";

async function functionOf(db: SqlExecutor, scope: FunctionScope, raw: string): Promise<FunctionRecord> {
  const { name } = parseFunctionName(raw);
  const fn = await findFunction(db, scope, name);
  if (!fn) throw lambdaErrors.notFound(functionArn(scope, name));
  return fn;
}

/** An alias may only point at versions that exist ($LATEST always does). */
async function checkVersionsExist(
  db: SqlExecutor,
  scope: FunctionScope,
  fn: FunctionRecord,
  versions: readonly string[],
): Promise<void> {
  for (const version of versions) {
    if (version === "$LATEST") continue;
    if (!(await findVersion(db, scope, fn, Number(version))))
      throw lambdaErrors.notFound(`${fn.arn}:${version}`);
  }
}

export function aliasRoutes(store: Store): RestRoute[] {
  return [
    {
      method: "POST",
      path: "/2015-03-31/functions/{FunctionName}/aliases",
      operation: "CreateAlias",

      ...mutates("lambda:CreateAlias", onFunction),
      handler: async (req, ctx) => {
        const input = jsonBody(req);
        const scope = scopeOf(ctx);
        const name = checkAliasName(input.Name);
        const functionVersion = checkFunctionVersion(input.FunctionVersion);
        const description = checkDescription(input.Description) ?? "";
        const weights = readWeights(input.RoutingConfig, functionVersion);
        const saved = await ctx.transaction(async (tx) => {
          const fn = await functionOf(tx, scope, req.pathParams.FunctionName!);
          await checkVersionsExist(tx, scope, fn, [functionVersion, ...Object.keys(weights ?? {})]);
          if (await findAlias(tx, scope, fn.name, name)) throw lambdaErrors.aliasExists(`${fn.arn}:${name}`);
          const alias = await saveAlias(tx, scope, fn.name, {
            name,
            functionVersion,
            description,
            ...(weights ? { weights } : {}),
          });
          return describeAlias(fn.arn, alias);
        });
        return { status: 201, body: saved };
      },
    },
    {
      method: "GET",
      path: "/2015-03-31/functions/{FunctionName}/aliases",
      operation: "ListAliases",

      ...reads("lambda:ListAliases", onFunction),
      handler: async (req, ctx) => {
        const scope = scopeOf(ctx);
        const { limit, after } = pageOf(req);
        const filter = req.query.get("FunctionVersion");
        const functionVersion = filter === null || filter === "" ? undefined : checkFunctionVersion(filter);
        const fn = await functionOf(store, scope, req.pathParams.FunctionName!);
        const aliases = await listAliases(store, scope, fn.name, {
          after,
          limit: limit + 1,
          ...(functionVersion !== undefined ? { functionVersion } : {}),
        });
        return {
          body: {
            Aliases: aliases.slice(0, limit).map((alias) => describeAlias(fn.arn, alias)),
            ...nextMarker(aliases, limit, (alias) => alias.name),
          },
        };
      },
    },
    {
      method: "GET",
      path: "/2015-03-31/functions/{FunctionName}/aliases/{Name}",
      operation: "GetAlias",

      ...reads("lambda:GetAlias", onFunction),
      handler: async (req, ctx) => {
        const scope = scopeOf(ctx);
        const name = checkAliasName(req.pathParams.Name);
        const fn = await functionOf(store, scope, req.pathParams.FunctionName!);
        const alias = await findAlias(store, scope, fn.name, name);
        if (!alias) throw lambdaErrors.aliasNotFound(`${fn.arn}:${name}`);
        return { body: describeAlias(fn.arn, alias) };
      },
    },
    {
      method: "PUT",
      path: "/2015-03-31/functions/{FunctionName}/aliases/{Name}",
      operation: "UpdateAlias",

      ...mutates("lambda:UpdateAlias", onFunction),
      handler: async (req, ctx) => {
        const input = jsonBody(req);
        const scope = scopeOf(ctx);
        const name = checkAliasName(req.pathParams.Name);
        const newVersion =
          input.FunctionVersion === undefined ? undefined : checkFunctionVersion(input.FunctionVersion);
        const description = checkDescription(input.Description);
        const revisionId = input.RevisionId;
        const saved = await ctx.transaction(async (tx) => {
          const fn = await functionOf(tx, scope, req.pathParams.FunctionName!);
          const current = await findAlias(tx, scope, fn.name, name);
          if (!current) throw lambdaErrors.aliasNotFoundForUpdate(`${fn.arn}:${name}`);
          if (revisionId !== undefined && revisionId !== current.revisionId)
            throw lambdaErrors.preconditionFailed();
          const functionVersion = newVersion ?? current.functionVersion;
          // Routing given is checked as given; routing kept is checked again against a moved primary.
          const weights =
            input.RoutingConfig !== undefined
              ? readWeights(input.RoutingConfig, functionVersion)
              : readWeights({ AdditionalVersionWeights: current.weights }, functionVersion);
          await checkVersionsExist(tx, scope, fn, [functionVersion, ...Object.keys(weights ?? {})]);
          const alias = await saveAlias(tx, scope, fn.name, {
            name,
            functionVersion,
            description: description ?? current.description,
            ...(weights ? { weights } : {}),
          });
          return describeAlias(fn.arn, alias);
        });
        return { body: saved };
      },
    },
    {
      method: "DELETE",
      path: "/2015-03-31/functions/{FunctionName}/aliases/{Name}",
      operation: "DeleteAlias",

      ...mutates("lambda:DeleteAlias", onFunction),
      handler: async (req, ctx) => {
        const scope = scopeOf(ctx);
        const name = checkAliasName(req.pathParams.Name);
        // Deleting an alias that does not exist succeeds, as on Lambda.
        await ctx.transaction(async (tx) => {
          const fn = await functionOf(tx, scope, req.pathParams.FunctionName!);
          await deleteAlias(tx, scope, fn.name, name);
          await deleteEventInvokeConfig(tx, scope, fn.name, name);
          await deletePolicies(tx, scope, fn.name, name);
        });
        return { status: 204 };
      },
    },
  ];
}
