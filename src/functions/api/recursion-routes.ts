/**
 * GetFunctionRecursionConfig and PutFunctionRecursionConfig (`/2024-08-31/…/recursion-config`):
 * whether Lambda may let a function's recursive loop run (`Allow`) or stops it (`Terminate`, the
 * default). Jeff keeps the setting as given; it detects no loops.
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
  type FunctionRecord,
  findFunction,
  functionArn,
  parseFunctionName,
  replaceFunction,
} from "../records/index.js";
import { jsonBody, onFunction, scopeOf } from "./lambda-request.js";

/** The function a recursion-config call names (the model has refused a qualified name). */
async function unqualifiedFunction(
  store: Store,
  req: RestRequest,
  ctx: RequestContext,
): Promise<FunctionRecord> {
  const { name } = parseFunctionName(req.pathParams.FunctionName!);
  const scope = scopeOf(ctx);
  const fn = await findFunction(store, scope, name);
  if (!fn) throw lambdaErrors.notFound(functionArn(scope, name));
  return fn;
}

export function recursionRoutes(store: Store): RestRoute[] {
  return [
    {
      method: "GET",
      path: "/2024-08-31/functions/{FunctionName}/recursion-config",
      operation: "GetFunctionRecursionConfig",
      ...reads("lambda:GetFunctionRecursionConfig", onFunction),
      handler: async (req, ctx) => {
        const fn = await unqualifiedFunction(store, req, ctx);
        return { body: { RecursiveLoop: fn.options.recursiveLoop ?? "Terminate" } };
      },
    },
    {
      method: "PUT",
      path: "/2024-08-31/functions/{FunctionName}/recursion-config",
      operation: "PutFunctionRecursionConfig",
      ...mutates("lambda:PutFunctionRecursionConfig", onFunction),
      handler: async (req, ctx) => {
        // Required and one of the enum's values: the model has checked it.
        const recursiveLoop = jsonBody(req).RecursiveLoop as "Allow" | "Terminate";
        const fn = await unqualifiedFunction(store, req, ctx);
        const next = { ...fn, options: { ...fn.options, recursiveLoop } };
        const saved = await ctx.transaction((tx) => replaceFunction(tx, scopeOf(ctx), next, fn.revisionId));
        if (!saved) throw lambdaErrors.preconditionFailed();
        return { body: { RecursiveLoop: recursiveLoop } };
      },
    },
  ];
}
