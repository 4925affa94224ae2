/**
 * `Invoke` (`POST /2015-03-31/functions/{FunctionName}/invocations`) as HTTP: the invocation type
 * and client context come from headers, the invocation itself from the subsystem's one `invoke`,
 * and the result goes back as the body, with a failure reported in `X-Amz-Function-Error` and the
 * log tail in `X-Amz-Log-Result`, as Lambda does.
 */
import type { RequestContext, RestRequest, RestResponse } from "../../protocol/index.js";
import { type InvocationType, type Invoke, invocationTypes } from "../invoke.js";
import { lambdaErrors } from "../lambda-errors.js";
import type { FunctionTarget } from "../records/index.js";

const logTailBytes = 4096;

/** The last 4 KB of a log, cut at a character boundary, base64-encoded. */
export function logTail(log: string): string {
  const bytes = Buffer.from(log, "utf8");
  let start = Math.max(0, bytes.length - logTailBytes);
  // Skip continuation bytes so the tail starts on a whole UTF-8 character.
  while (start < bytes.length && ((bytes[start] ?? 0) & 0xc0) === 0x80) start++;
  return bytes.subarray(start).toString("base64");
}

function invocationTypeOf(req: RestRequest): InvocationType {
  const type = String(req.headers["x-amz-invocation-type"] ?? "RequestResponse");
  if (!(invocationTypes as readonly string[]).includes(type)) {
    throw lambdaErrors.validation(
      "invocationType",
      type,
      `Member must satisfy enum value set: [${invocationTypes.join(", ")}]`,
    );
  }
  return type as InvocationType;
}

export async function invokeRoute(
  invoke: Invoke,
  target: FunctionTarget,
  req: RestRequest,
  ctx: RequestContext,
): Promise<RestResponse> {
  const clientContext = req.headers["x-amz-client-context"];
  const outcome = await invoke(target, req.body, invocationTypeOf(req), {
    transaction: ctx.transaction,
    requestId: ctx.requestId,
    clientContext: typeof clientContext === "string" ? clientContext : undefined,
  });
  if (outcome.type === "DryRun") return { status: 204 };
  if (outcome.type === "Event") return { status: 202 };
  const { result, executedVersion } = outcome;
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-amz-executed-version": executedVersion,
  };
  if (result.functionError) headers["x-amz-function-error"] = result.functionError;
  if (String(req.headers["x-amz-log-type"] ?? "None") === "Tail")
    headers["x-amz-log-result"] = logTail(result.log);
  return { status: 200, headers, body: result.payload };
}
