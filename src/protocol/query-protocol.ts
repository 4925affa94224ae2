/**
 * awsQuery: form-encoded `Action=…&Version=…` (in the body or the query string), XML out.
 * Errors are `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
 */
import { AwsError } from "./aws-error.js";
import type { QueryService, XmlValue } from "./service.js";
import type { WireResponse } from "./wire.js";
import { escapeXml, writeXmlChildren } from "./xml.js";

/** Form parameters from the query string and a form body; signing parameters are not input. */
export function parseQueryParams(
  query: string,
  body: Buffer,
  contentType: string | undefined,
): Record<string, string> {
  const params: Record<string, string> = {};
  if (query !== "") addFormParams(params, query);
  if (body.length > 0) {
    if (!contentType?.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
      throw new AwsError(
        "InvalidParameterValue",
        "Query requests must be form-encoded (application/x-www-form-urlencoded).",
      );
    }
    addFormParams(params, body.toString("utf8"));
  }
  return params;
}

/**
 * Adds a form's parameters, later ones replacing earlier ones of the same name. Text with nothing
 * to decode (no `%` or `+`, as `Action=GetCallerIdentity&Version=2011-06-15`) is split as it is;
 * anything else is read by URLSearchParams, whose decoding is the standard's.
 */
function addFormParams(params: Record<string, string>, text: string): void {
  if (text.includes("%") || text.includes("+")) {
    for (const [key, value] of new URLSearchParams(text)) {
      if (!key.startsWith("X-Amz-")) params[key] = value;
    }
    return;
  }
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf("&", start);
    if (end === -1) end = text.length;
    if (end > start) {
      const eq = text.indexOf("=", start);
      const key = eq === -1 || eq > end ? text.slice(start, end) : text.slice(start, eq);
      const value = eq === -1 || eq > end ? "" : text.slice(eq + 1, end);
      if (!key.startsWith("X-Amz-")) params[key] = value;
    }
    start = end + 1;
  }
}

/** The operation an awsQuery request names in its `Action` parameter. */
export function actionOf(params: Readonly<Record<string, string>>): string {
  const action = params.Action;
  if (!action) throw new AwsError("MissingAction", "The request must contain the parameter Action.");
  return action;
}

export function findQueryOperation(service: QueryService, params: Readonly<Record<string, string>>) {
  const action = actionOf(params);
  const declared = Object.hasOwn(service.operations, action) ? service.operations[action] : undefined;
  if (!declared) {
    throw new AwsError(
      "InvalidAction",
      `Could not find operation ${action} for version ${params.Version ?? "NO_VERSION_SPECIFIED"}`,
    );
  }
  return { operation: action, declared };
}

export function querySuccess(
  namespace: string,
  action: string,
  result: XmlValue,
  requestId: string,
): WireResponse {
  const body =
    `<${action}Response xmlns="${namespace}">` +
    `<${action}Result>${writeXmlChildren(result)}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
    `</${action}Response>`;
  return { status: 200, headers: { "content-type": "text/xml", "x-amzn-requestid": requestId }, body };
}

export function queryError(namespace: string, error: AwsError, requestId: string): WireResponse {
  const body =
    `<ErrorResponse xmlns="${namespace}">` +
    `<Error><Type>${error.fault}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId>` +
    `</ErrorResponse>`;
  return {
    status: error.status,
    headers: { "content-type": "text/xml", "x-amzn-requestid": requestId },
    body,
  };
}
