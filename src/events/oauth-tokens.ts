/**
 * OAuth client-credentials tokens for connections, fetched as EventBridge fetches them: from the
 * connection's authorization endpoint, with its HTTP method, its OAuth header, query string and
 * body parameters, the client ID and secret as Basic authorisation and `grant_type=client_credentials`
 * (unless the body parameters name one). A token is kept on this node until a minute before it
 * expires (`expires_in`; an hour when the answer gives none), or until a target answers 401 or 407,
 * and a change of the connection fetches a new one.
 */
import { type OutboundPolicy, OutboundRefused, sendOutbound } from "../server/outbound-http.js";
import type { ConnectionRecord } from "./connection-records.js";

interface KeyValue {
  readonly Key?: string;
  readonly Value?: string;
}

interface OAuthParameters {
  readonly AuthorizationEndpoint?: string;
  readonly HttpMethod?: string;
  readonly ClientParameters?: { readonly ClientID?: string; readonly ClientSecret?: string };
  readonly OAuthHttpParameters?: {
    readonly HeaderParameters?: readonly KeyValue[];
    readonly QueryStringParameters?: readonly KeyValue[];
    readonly BodyParameters?: readonly KeyValue[];
  };
}

/** Why a token could not be had; `deauthorizes` when the endpoint refused (not merely failed to answer). */
export class TokenFailure extends Error {
  override readonly name = "TokenFailure";
  constructor(
    message: string,
    readonly deauthorizes: boolean,
  ) {
    super(message);
  }
}

/** How long before its expiry a token is fetched again, as EventBridge refreshes early. */
const refreshBeforeMs = 60_000;
/** A token whose answer names no lifetime is kept this long. */
const defaultLifetimeMs = 3_600_000;

export class OAuthTokens {
  readonly #kept = new Map<string, { readonly token: string; readonly until: number }>();

  constructor(
    private readonly policy: OutboundPolicy,
    private readonly timeoutMs: number,
  ) {}

  /** The connection's access token, fetched when none is kept or it is about to expire. */
  async token(connection: ConnectionRecord, now = Date.now()): Promise<string> {
    const key = keyOf(connection);
    const kept = this.#kept.get(key);
    if (kept !== undefined && kept.until - refreshBeforeMs > now) return kept.token;
    const fetched = await this.#fetch(connection);
    this.#kept.set(key, { token: fetched.token, until: now + fetched.lifetimeMs });
    return fetched.token;
  }

  /** A target refused the token (401, 407): the next delivery fetches a new one. */
  forget(connection: ConnectionRecord): void {
    this.#kept.delete(keyOf(connection));
  }

  async #fetch(connection: ConnectionRecord): Promise<{ token: string; lifetimeMs: number }> {
    const oauth = (connection.authParameters.OAuthParameters ?? {}) as OAuthParameters;
    const http = oauth.OAuthHttpParameters ?? {};
    let url: URL;
    try {
      url = new URL(oauth.AuthorizationEndpoint ?? "");
    } catch {
      throw new TokenFailure(
        `The authorization endpoint '${oauth.AuthorizationEndpoint}' is not a URL.`,
        true,
      );
    }
    for (const { Key, Value } of http.QueryStringParameters ?? [])
      if (Key) url.searchParams.set(Key, Value ?? "");
    const method = (oauth.HttpMethod ?? "POST").toUpperCase();
    const client = oauth.ClientParameters ?? {};
    const headers: Record<string, string> = {
      accept: "application/json",
      "user-agent": "Amazon/EventBridge/ApiDestinations",
      authorization: `Basic ${Buffer.from(`${client.ClientID ?? ""}:${client.ClientSecret ?? ""}`).toString("base64")}`,
    };
    for (const { Key, Value } of http.HeaderParameters ?? [])
      if (Key) headers[Key.toLowerCase()] = Value ?? "";
    const form = new URLSearchParams();
    for (const { Key, Value } of http.BodyParameters ?? []) if (Key) form.set(Key, Value ?? "");
    if (!form.has("grant_type")) form.set("grant_type", "client_credentials");
    let body: string | undefined;
    if (method === "GET") for (const [key, value] of form) url.searchParams.set(key, value);
    else {
      body = form.toString();
      headers["content-type"] ??= "application/x-www-form-urlencoded";
    }

    let answer: { status: number; body: string };
    try {
      answer = await sendOutbound(this.policy, url, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        timeoutMs: this.timeoutMs,
      });
    } catch (error) {
      if (error instanceof OutboundRefused) throw new TokenFailure(error.message, true);
      throw new TokenFailure(
        `Could not reach the authorization endpoint ${url.origin}: ${(error as Error).message}`,
        false,
      );
    }
    if (answer.status >= 500 || answer.status === 429)
      throw new TokenFailure(`The authorization endpoint answered ${answer.status}.`, false);
    if (answer.status < 200 || answer.status >= 300)
      throw new TokenFailure(`The authorization endpoint answered ${answer.status}.`, true);
    let parsed: { access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(answer.body) as typeof parsed;
    } catch {
      throw new TokenFailure("The authorization endpoint's answer is not JSON.", true);
    }
    if (typeof parsed?.access_token !== "string" || parsed.access_token === "")
      throw new TokenFailure("The authorization endpoint's answer has no access_token.", true);
    const expiresIn = Number(parsed.expires_in);
    return {
      token: parsed.access_token,
      lifetimeMs: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : defaultLifetimeMs,
    };
  }
}

/** A connection's token belongs to one version of it: an update fetches anew. */
const keyOf = (connection: ConnectionRecord) => `${connection.arn}@${connection.modifiedAt}`;
