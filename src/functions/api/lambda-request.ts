/** Reading Lambda requests: JSON bodies, the caller's scope, and the Marker/MaxItems of list calls. */
import {
  commonErrors,
  mutates,
  type OperationTraits,
  type RequestContext,
  type RestRequest,
  type RestRoute,
} from "../../protocol/index.js";
import { lambdaErrors } from "../lambda-errors.js";
import {
  type FunctionReference,
  type FunctionScope,
  functionArn,
  parseFunctionName,
} from "../records/index.js";

export const scopeOf = (ctx: RequestContext): FunctionScope => ({
  accountId: ctx.caller.accountId,
  region: ctx.region,
});

export function jsonBody(req: RestRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  try {
    const value: unknown = JSON.parse(req.body.toString("utf8"));
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw commonErrors.serialization("The request body must be a JSON object.");
}

/**
 * `MaxItems` (1–`maximum`, default 50; most list calls allow 10,000, ListFunctionEventInvokeConfigs
 * 50) and the position after which the page starts ("" for the first).
 */
export function pageOf(req: RestRequest, maximum = 10_000): { limit: number; after: string } {
  const maxItems = req.query.get("MaxItems");
  const limit = maxItems === null ? Math.min(50, maximum) : Number(maxItems);
  if (!Number.isInteger(limit) || limit < 1 || limit > maximum) {
    throw lambdaErrors.validation("maxItems", maxItems, `Member must have value between 1 and ${maximum}`);
  }
  const marker = req.query.get("Marker");
  return { limit, after: marker ? positionIn(marker) : "" };
}

/** What a NextMarker holds: a tag, then the position of the page's last item. */
const markerTag = "jeff-page:";

/** The position a Marker names; one Jeff did not hand out is refused rather than read as a name. */
function positionIn(marker: string): string {
  const text = /^[A-Za-z0-9_-]+$/.test(marker) ? Buffer.from(marker, "base64url").toString("utf8") : "";
  if (!text.startsWith(markerTag))
    throw lambdaErrors.invalidParameter("The Marker is not valid: pass the NextMarker of the last page");
  return text.slice(markerTag.length);
}

/** The NextMarker for a page fetched with one item more than `limit`, or nothing on the last page. */
export function nextMarker<T>(items: readonly T[], limit: number, position: (item: T) => string) {
  const last = items[limit - 1];
  return items.length > limit && last !== undefined
    ? { NextMarker: Buffer.from(markerTag + position(last)).toString("base64url") }
    : {};
}

/**
 * A route that refuses, before it runs, a FunctionName (or tag ARN) naming a function of another
 * Region or account, as Lambda does: another Region is not reachable from this one (404), another
 * account's function needs that account's permission, which Jeff's single account never grants
 * (403). Without this, an ARN's Region and account were ignored and the local function served.
 */
export function inCallersScope(route: RestRoute): RestRoute {
  return {
    ...route,
    handler: (req, ctx) => {
      const named = req.pathParams.FunctionName ?? req.pathParams.ARN;
      if (named !== undefined) checkReachable(named, route.action, ctx);
      return route.handler(req, ctx);
    },
  };
}

function checkReachable(named: string, action: string, ctx: RequestContext): void {
  let reference: FunctionReference;
  try {
    reference = parseFunctionName(named);
  } catch {
    return; // names no function: the handler refuses it
  }
  const { region, accountId } = reference;
  if (region !== undefined && region !== ctx.region) throw lambdaErrors.otherRegion(region, ctx.region);
  if (accountId !== undefined && accountId !== ctx.caller.accountId) {
    const arn = named.startsWith("arn:") ? named : `arn:aws:lambda:${ctx.region}:${named}`;
    throw lambdaErrors.otherAccount(ctx.caller.arn, action, arn);
  }
}

/**
 * The function a call acts on, from its FunctionName (a name or an ARN, with or without a
 * qualifier) or, for the tag calls, its ARN. A malformed name names nothing: the handler refuses it.
 */
export const onFunction: OperationTraits["resources"] = (params, call) => {
  const raw = params.FunctionName ?? params.ARN;
  if (typeof raw !== "string") return [];
  try {
    const { name } = parseFunctionName(raw);
    const arn = functionArn({ accountId: call.caller.accountId, region: call.region }, name);
    return [{ type: "AWS::Lambda::Function", name, arn }];
  } catch {
    return [];
  }
};

/** The traits of the calls a stack also makes, declared once for the API and the resource handler. */
export const functionWrites = {
  CreateFunction: mutates("lambda:CreateFunction", onFunction, { hidden: ["Environment"] }),
  UpdateFunctionConfiguration: mutates("lambda:UpdateFunctionConfiguration", onFunction, {
    hidden: ["Environment"],
  }),
  DeleteFunction: mutates("lambda:DeleteFunction", onFunction),
  /** A data event: recorded only when a trail selects data events. */
  Invoke: mutates("lambda:InvokeFunction", onFunction, { dataEvent: true }),
} as const;
