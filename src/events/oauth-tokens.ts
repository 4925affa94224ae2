/**
 * OAuth client-credentials tokens for connections, fetched as EventBridge fetches them: from the
 * connection's authorization endpoint, with its HTTP method, its OAuth header, query string and
 * body parameters, the client ID and secret as Basic authorisation and `grant_type=client_credentials`
 * (unless the body parameters name one). A token is kept on this node until a minute before it
 * expires (`expires_in`; an hour when the answer gives none), or until a target answers 401 or 407,
 * and a change of the connection fetches a new one. One entry per connection: the map holds no
 * more tokens than there are connections that delivered.
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

/** Tokens kept on a node at most. */
const maxKept = 1_000;
/** A token longer than this is no token a target takes in a header: the endpoint is refused. */
const maxTokenLength = 8 * 1024;

interface Kept {
  /** The connection's version the token belongs to: an update fetches anew. */
  readonly version: number;
  readonly token: Promise<{ token: string; lifetimeMs: number }>;
  until: number;
}

export class OAuthTokens {
  /** By connection ARN: one entry each, replaced when the connection changes or is deleted and made again. */
  readonly #kept = new Map<string, Kept>();

  constructor(
    private readonly policy: OutboundPolicy,
    private readonly timeoutMs: number,
  ) {}

  /**
   * The connection's access token, fetched when none is kept or it is about to expire. Deliveries
   * that want one at once share one fetch.
   */
  async token(connection: ConnectionRecord, now = Date.now()): Promise<string> {
    const kept = this.#kept.get(connection.arn);
    if (kept !== undefined && kept.version === connection.modifiedAt && kept.until - refreshBeforeMs > now)
      return (await kept.token).token;
    const entry: Kept = {
      version: connection.modifiedAt,
      token: this.#fetch(connection),
      until: Number.POSITIVE_INFINITY,
    };
    this.#kept.delete(connection.arn);
    this.#kept.set(connection.arn, entry);
    // Connections deleted and made again have new ARNs: the oldest entries make room.
    if (this.#kept.size > maxKept) this.#kept.delete(this.#kept.keys().next().value!);
    try {
      const fetched = await entry.token;
      entry.until = now + fetched.lifetimeMs;
      return fetched.token;
    } catch (error) {
      if (this.#kept.get(connection.arn) === entry) this.#kept.delete(connection.arn);
      throw error;
    }
  }

  /** A target refused the token (401, 407): the next delivery fetches a new one. */
  forget(connection: ConnectionRecord): void {
    this.#kept.delete(connection.arn);
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
        readBody: true,
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
    if (parsed.access_token.length > maxTokenLength)
      throw new TokenFailure(
        `The authorization endpoint's access_token is over ${maxTokenLength} characters.`,
        true,
      );
    const expiresIn = Number(parsed.expires_in);
    return {
      token: parsed.access_token,
      lifetimeMs: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : defaultLifetimeMs,
    };
  }
}
