/**
 * awsJson1_0 and awsJson1_1: `POST /` with `X-Amz-Target: Prefix.Operation` and a JSON body.
 * Errors are `{"__type": code, "message": …}` with the code repeated in `x-amzn-ErrorType`.
 */
import { AwsError, commonErrors } from "./aws-error.js";
import type { JsonService, WireProtocol } from "./service.js";
import { jsonContentType, type WireResponse } from "./wire.js";

/** The operation name: the text after the last `.` of the target (clients differ in the prefix). */
export function operationFromTarget(target: string): string {
  return target.slice(target.lastIndexOf(".") + 1);
}

/** The operation an awsJson request names in its `X-Amz-Target` header. */
export function operationFromTargetHeader(target: string | string[] | undefined): string {
  if (typeof target !== "string" || target === "") {
    throw new AwsError(
      "UnknownOperationException",
      "The request has no X-Amz-Target header naming an operation.",
    );
  }
  return operationFromTarget(target);
}

export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch {
    throw commonErrors.serialization("The request body is not valid JSON.");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw commonErrors.serialization("The request body must be a JSON object.");
  }
  return value as Record<string, unknown>;
}

export function findJsonOperation(service: JsonService, target: string | string[] | undefined) {
  const operation = operationFromTargetHeader(target);
  const declared = Object.hasOwn(service.operations, operation) ? service.operations[operation] : undefined;
  if (!declared) {
    throw new AwsError(
      "UnknownOperationException",
      `The operation ${operation} is not supported by this service.`,
    );
  }
  return { operation, declared };
}

export function jsonSuccess(protocol: WireProtocol, output: unknown, requestId: string): WireResponse {
  return {
    status: 200,
    headers: { "content-type": contentTypeFor(protocol), "x-amzn-requestid": requestId },
    body: JSON.stringify(output ?? {}),
  };
}

export function jsonError(protocol: WireProtocol, error: AwsError, requestId: string): WireResponse {
  const body: Record<string, unknown> = {
    __type: error.code,
    [error.messageMember]: error.message,
    ...error.fields,
  };
  if (protocol === "restJson1") body.Type = error.fault === "Sender" ? "User" : "Service";
  return {
    status: error.status,
    headers: {
      "content-type": contentTypeFor(protocol),
      "x-amzn-requestid": requestId,
      "x-amzn-errortype": error.code,
    },
    body: JSON.stringify(body),
  };
}

function contentTypeFor(protocol: WireProtocol): string {
  return protocol === "awsQuery" ? jsonContentType.awsJson1_1 : jsonContentType[protocol];
}
