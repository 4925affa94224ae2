/**
 * Delivering to an API destination: the HTTP request EventBridge makes — the destination's method
 * and endpoint (each `*` filled from the target's `PathParameterValues`), the connection's
 * invocation parameters and the target's `HttpParameters` as headers and query string, the
 * connection's authorisation (an API key header, Basic, or an OAuth bearer token), the event (as the target shapes it)
 * as a JSON body — with a five-second timeout. 2xx is delivered; 401, 407, 409, 429, 5xx, a
 * timeout or no connection are retried, as AWS retries them; other answers are not. An endpoint
 * on loopback or a private network is refused (see `outbound-http.ts`) unless the operator allows it.
 */

import { RetryAfterError } from "../queue/index.js";
import { type OutboundPolicy, OutboundRefused, sendOutbound } from "../server/outbound-http.js";
import type { SqlExecutor, Store } from "../store/index.js";
import type { EventsScope } from "./bus-records.js";
import {
  type ConnectionRecord,
  connectionByArn,
  findApiDestination,
  markAuthorization,
} from "./connection-records.js";
import { TargetFailure, type TargetHandler } from "./event-targets.js";
import { OAuthTokens, TokenFailure } from "./oauth-tokens.js";
import { RateLimiter } from "./rate-limiter.js";
import type { TargetDefinition } from "./rule-records.js";

/** How long EventBridge waits for an API destination's answer. */
export const apiDestinationTimeoutMs = 5_000;

export type HttpOutcome =
  | { readonly delivered: true }
  | {
      readonly delivered: false;
      readonly errorCode: string;
      readonly message: string;
      readonly retriable: boolean;
    };

const retriedStatuses = new Set([401, 407, 409, 429]);

interface KeyValue {
  readonly Key?: string;
  readonly Value?: string;
}

interface HttpParameters {
  readonly HeaderParameters?: readonly KeyValue[];
  readonly QueryStringParameters?: readonly KeyValue[];
  readonly BodyParameters?: readonly KeyValue[];
}

const failed = (errorCode: string, message: string, retriable: boolean) =>
  new TargetFailure(errorCode, message, retriable);

/** The handler of `events:api-destination` targets; completes the delivery once the endpoint accepted. */
export function apiDestinationTargets(store: Store, policy: OutboundPolicy): TargetHandler {
  const tokens = new OAuthTokens(policy, apiDestinationTimeoutMs);
  const limiter = new RateLimiter();
  return async ({ target, input, scope, complete }) => {
    await sendToApiDestination(store, { policy, tokens, limiter }, scope, target, input);
    await store.transaction(complete);
  };
}

/**
 * An OAuth connection's `Authorization` header: its token, fetched when needed. The first fetch
 * marks the connection AUTHORIZED; an endpoint's refusal marks it DEAUTHORIZED, and deliveries
 * through it fail until it is updated, as on AWS.
 */
async function bearer(
  db: SqlExecutor,
  tokens: OAuthTokens,
  scope: EventsScope,
  connection: ConnectionRecord,
): Promise<string> {
  if (connection.state === "DEAUTHORIZED") {
    throw failed(
      "CONNECTION_FAILURE",
      `Connection ${connection.name} is deauthorized: ${connection.stateReason ?? "its authorization failed"}`,
      false,
    );
  }
  try {
    const token = await tokens.token(connection);
    if (connection.state !== "AUTHORIZED")
      await markAuthorization(db, scope, connection, { authorized: true }, Date.now());
    return `Bearer ${token}`;
  } catch (error) {
    if (!(error instanceof TokenFailure)) throw error;
    if (error.deauthorizes)
      await markAuthorization(
        db,
        scope,
        connection,
        { authorized: false, reason: error.message },
        Date.now(),
      );
    throw failed(
      "CONNECTION_FAILURE",
      `Could not authorize connection ${connection.name}: ${error.message}`,
      !error.deauthorizes,
    );
  }
}

interface Senders {
  readonly policy: OutboundPolicy;
  readonly tokens: OAuthTokens;
  readonly limiter: RateLimiter;
}

async function sendToApiDestination(
  db: SqlExecutor,
  { policy, tokens, limiter }: Senders,
  scope: EventsScope,
  target: TargetDefinition,
  input: string,
): Promise<void> {
  const name = target.Arn.split(":api-destination/")[1]?.split("/")[0] ?? "";
  const destination = await findApiDestination(db, scope, name);
  if (destination === undefined || destination.arn !== target.Arn) {
    throw failed("NO_RESOURCE", `API destination ${target.Arn} does not exist.`, false);
  }
  const waitMs = limiter.take(destination.arn, destination.rateLimit, Date.now());
  if (waitMs > 0) {
    throw new RetryAfterError(`${destination.name} is over its InvocationRateLimitPerSecond`, waitMs, {
      countsAsAttempt: false,
    });
  }
  const connection = await connectionByArn(db, scope, destination.connectionArn);
  if (connection === undefined)
    throw failed("NO_RESOURCE", `Connection ${destination.connectionArn} does not exist.`, false);
  const auth = connection.authParameters as {
    BasicAuthParameters?: { Username?: string; Password?: string };
    ApiKeyAuthParameters?: { ApiKeyName?: string; ApiKeyValue?: string };
    InvocationHttpParameters?: HttpParameters;
  };
  const fromTarget = (target.HttpParameters ?? {}) as {
    PathParameterValues?: string[];
    HeaderParameters?: Record<string, string>;
    QueryStringParameters?: Record<string, string>;
  };

  const paths = [...(fromTarget.PathParameterValues ?? [])];
  const url = new URL(destination.endpoint.replace(/\*/g, () => encodeURIComponent(paths.shift() ?? "")));
  const headers: Record<string, string> = {
    "content-type": "application/json; charset=utf-8",
    "user-agent": "Amazon/EventBridge/ApiDestinations",
  };
  const invocation = auth.InvocationHttpParameters ?? {};
  for (const { Key, Value } of invocation.HeaderParameters ?? [])
    if (Key) headers[Key.toLowerCase()] = Value ?? "";
  for (const [key, value] of Object.entries(fromTarget.HeaderParameters ?? {}))
    headers[key.toLowerCase()] = value;
  for (const { Key, Value } of invocation.QueryStringParameters ?? [])
    if (Key) url.searchParams.set(Key, Value ?? "");
  for (const [key, value] of Object.entries(fromTarget.QueryStringParameters ?? {}))
    url.searchParams.set(key, value);
  // The connection's own kind of authorisation only: an update may have left another kind's parameters.
  const type = connection.authorizationType;
  if (type === "API_KEY" && auth.ApiKeyAuthParameters?.ApiKeyName) {
    headers[auth.ApiKeyAuthParameters.ApiKeyName.toLowerCase()] = auth.ApiKeyAuthParameters.ApiKeyValue ?? "";
  }
  if (type === "BASIC" && auth.BasicAuthParameters) {
    const { Username = "", Password = "" } = auth.BasicAuthParameters;
    headers.authorization = `Basic ${Buffer.from(`${Username}:${Password}`).toString("base64")}`;
  }
  if (type === "OAUTH_CLIENT_CREDENTIALS")
    headers.authorization = await bearer(db, tokens, scope, connection);

  let body: string | undefined = input;
  const bodyParameters = invocation.BodyParameters ?? [];
  if (bodyParameters.length > 0) {
    try {
      const parsed = JSON.parse(input) as unknown;
      if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
        for (const { Key, Value } of bodyParameters)
          if (Key) (parsed as Record<string, unknown>)[Key] = Value ?? "";
        body = JSON.stringify(parsed);
      }
    } catch {}
  }
  const method = destination.httpMethod;
  if (method === "GET" || method === "HEAD") body = undefined;

  let status: number;
  try {
    ({ status } = await sendOutbound(policy, url, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      timeoutMs: apiDestinationTimeoutMs,
    }));
  } catch (error) {
    if (error instanceof OutboundRefused) throw failed("CONNECTION_FAILURE", error.message, false);
    const timedOut = (error as Error).name === "TimeoutError";
    throw failed(
      timedOut ? "TIMEOUT" : "CONNECTION_FAILURE",
      timedOut
        ? `No answer from ${url.origin} within 5 seconds.`
        : `Could not reach ${url.origin}: ${(error as Error).message}`,
      true,
    );
  }
  if (status >= 200 && status < 300) return;
  if ((status === 401 || status === 407) && type === "OAUTH_CLIENT_CREDENTIALS") tokens.forget(connection);
  throw failed(
    "SDK_CLIENT_ERROR",
    `Received a response status code of ${status} from the API destination.`,
    status >= 500 || retriedStatuses.has(status),
  );
}
