/**
 * Put/Get/Update/Delete/ListFunctionEventInvokeConfig(s)
 * (`/2019-09-25/functions/{FunctionName}/event-invoke-config[/list]`).
 */
import {
  mutates,
  type RequestContext,
  type RestRequest,
  type RestRoute,
  reads,
} from "../../protocol/index.js";
import type { Store } from "../../store/index.js";
import { lambdaErrors } from "../lambda-errors.js";
import {
  checkDestinationFunctions,
  deleteEventInvokeConfig,
  describeEventInvokeConfig,
  findEventInvokeConfig,
  findFunction,
  functionArn,
  listEventInvokeConfigs,
  parseFunctionName,
  putEventInvokeConfig,
  readEventInvokeConfig,
  referenceOf,
  resolveTarget,
  updateEventInvokeConfig,
} from "../records/index.js";
import { jsonBody, nextMarker, onFunction, pageOf, scopeOf } from "./lambda-request.js";

/** Lambda lists at most this many configurations a page. */
const listMaximum = 50;

export function eventInvokeConfigRoutes(store: Store): RestRoute[] {
  /** The function and qualifier a request names; an unqualified one means `$LATEST`. */
  const targetOf = async (req: RestRequest, ctx: RequestContext) => {
    const { fn, qualifier = "$LATEST" } = await resolveTarget(
      store,
      scopeOf(ctx),
      referenceOf(req.pathParams.FunctionName!, req.query.get("Qualifier")),
    );
    return { fn, qualifier };
  };
  const path = "/2019-09-25/functions/{FunctionName}/event-invoke-config";

  return [
    {
      method: "PUT",
      path,
      operation: "PutFunctionEventInvokeConfig",

      ...mutates("lambda:PutFunctionEventInvokeConfig", onFunction),
      handler: async (req, ctx) => {
        const scope = scopeOf(ctx);
        const input = jsonBody(req);
        const config = readEventInvokeConfig(input, scope);
        const { fn, qualifier } = await targetOf(req, ctx);
        const lastModified = await ctx.transaction(async (tx) => {
          await checkDestinationFunctions(tx, scope, fn.name, input);
          return putEventInvokeConfig(tx, scope, fn.name, qualifier, config);
        });
        return { body: describeEventInvokeConfig(fn.arn, qualifier, { ...config, lastModified }) };
      },
    },
    {
      method: "POST",
      path,
      operation: "UpdateFunctionEventInvokeConfig",

      ...mutates("lambda:UpdateFunctionEventInvokeConfig", onFunction),
      handler: async (req, ctx) => {
        const input = jsonBody(req);
        const { fn, qualifier } = await targetOf(req, ctx);
        await checkDestinationFunctions(store, scopeOf(ctx), fn.name, input);
        const config = await updateEventInvokeConfig(
          ctx.transaction,
          scopeOf(ctx),
          fn.name,
          qualifier,
          input,
          () => lambdaErrors.noEventInvokeConfig(`${fn.arn}:${qualifier}`),
        );
        return { body: describeEventInvokeConfig(fn.arn, qualifier, config) };
      },
    },
    {
      method: "GET",
      path,
      operation: "GetFunctionEventInvokeConfig",

      ...reads("lambda:GetFunctionEventInvokeConfig", onFunction),
      handler: async (req, ctx) => {
        const { fn, qualifier } = await targetOf(req, ctx);
        const config = await findEventInvokeConfig(store, scopeOf(ctx), fn.name, qualifier);
        if (!config) throw lambdaErrors.noEventInvokeConfig(`${fn.arn}:${qualifier}`);
        return { body: describeEventInvokeConfig(fn.arn, qualifier, config) };
      },
    },
    {
      method: "DELETE",
      path,
      operation: "DeleteFunctionEventInvokeConfig",

      ...mutates("lambda:DeleteFunctionEventInvokeConfig", onFunction),
      handler: async (req, ctx) => {
        const { fn, qualifier } = await targetOf(req, ctx);
        await ctx.transaction(async (tx) => {
          if (!(await deleteEventInvokeConfig(tx, scopeOf(ctx), fn.name, qualifier)))
            throw lambdaErrors.noEventInvokeConfig(`${fn.arn}:${qualifier}`);
        });
        return { status: 204 };
      },
    },
    {
      method: "GET",
      path: `${path}/list`,
      operation: "ListFunctionEventInvokeConfigs",

      ...reads("lambda:ListFunctionEventInvokeConfigs", onFunction),
      handler: async (req, ctx) => {
        const scope = scopeOf(ctx);
        const { limit, after } = pageOf(req, listMaximum);
        // The function's configurations, every qualifier's; a qualifier in the name narrows nothing.
        const { name } = parseFunctionName(req.pathParams.FunctionName!);
        const fn = await findFunction(store, scope, name);
        if (!fn) throw lambdaErrors.notFound(functionArn(scope, name));
        const page = await listEventInvokeConfigs(store, scope, fn.name, after, limit + 1);
        return {
          body: {
            FunctionEventInvokeConfigs: page
              .slice(0, limit)
              .map((config) => describeEventInvokeConfig(fn.arn, config.qualifier, config)),
            ...nextMarker(page, limit, (config) => config.qualifier),
          },
        };
      },
    },
  ];
}
