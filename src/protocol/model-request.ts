/**
 * One request, any wire protocol, read through its service's model: which operation it names and
 * that operation's input, typed by the model and checked against its constraints. This is the
 * path every protocol shares, so a constraint fails with the same words however it arrived.
 */
import type { IncomingHttpHeaders } from "node:http";
import { validateInput } from "./input-validation.js";
import { decodeJsonInput } from "./json-input.js";
import { operationFromTargetHeader, parseJsonBody } from "./json-protocol.js";
import { decodeQueryInput } from "./query-input.js";
import { actionOf, parseQueryParams } from "./query-protocol.js";
import { decodeRestJsonInput, matchModelRoute } from "./rest-json-input.js";
import { noRestOperation } from "./rest-router.js";
import type { ServiceModel } from "./service-model.js";

export interface ModelRequest {
  readonly method: string;
  readonly path: string;
  /** The raw query string, without `?`. */
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface DecodedModelRequest {
  readonly operation: string;
  readonly input: Record<string, unknown>;
}

/** The operation and its typed input; wrong JSON types fail as AWS's SerializationException. */
export function decodeModelRequest(model: ServiceModel, request: ModelRequest): DecodedModelRequest {
  switch (model.protocol) {
    case "awsJson1_0":
    case "awsJson1_1": {
      const operation = operationFromTargetHeader(request.headers["x-amz-target"]);
      return { operation, input: decodeJsonInput(model, operation, parseJsonBody(request.body)) };
    }
    case "awsQuery": {
      const params = parseQueryParams(request.query, request.body, request.headers["content-type"]);
      const operation = actionOf(params);
      return { operation, input: decodeQueryInput(model, operation, params) };
    }
    case "restJson1": {
      const query = new URLSearchParams(request.query);
      const match = matchModelRoute(model, request.method, request.path, query);
      if (!match) throw noRestOperation(request.method, request.path);
      const input = decodeRestJsonInput(model, match.operation, {
        ...request,
        query,
        pathParams: match.pathParams,
      });
      return { operation: match.operation, input };
    }
    default: {
      const unreachable: never = model.protocol;
      throw new Error(`unknown protocol ${String(unreachable)}`);
    }
  }
}

/** `decodeModelRequest`, then AWS's validation error if the input breaks a constraint. */
export function readModelRequest(model: ServiceModel, request: ModelRequest): DecodedModelRequest {
  const decoded = decodeModelRequest(model, request);
  validateInput(model, decoded.operation, decoded.input);
  return decoded;
}
