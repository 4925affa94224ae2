import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OutboundPolicy } from "../server/outbound-http.js";
import type { ConnectionRecord } from "./connection-records.js";
import { OAuthTokens, type TokenFailure } from "./oauth-tokens.js";

let server: Server;
let endpoint: string;
let issued = 0;
let answer: { status: number; body: unknown } = { status: 200, body: undefined };

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      issued += 1;
      res.statusCode = answer.status;
      res.end(JSON.stringify(answer.body ?? { access_token: `token-${issued}`, expires_in: 3600 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const connection = (modifiedAt: number): ConnectionRecord => ({
  name: "c",
  arn: "arn:aws:events:us-east-1:111111111111:connection/c/1",
  secretArn: "arn:aws:secretsmanager:us-east-1:111111111111:secret:events!connection/c/1",
  authorizationType: "OAUTH_CLIENT_CREDENTIALS",
  authParameters: {
    OAuthParameters: {
      AuthorizationEndpoint: endpoint,
      HttpMethod: "POST",
      ClientParameters: { ClientID: "id", ClientSecret: "secret" },
    },
  },
  state: "AUTHORIZED",
  createdAt: 0,
  modifiedAt,
  authorizedAt: 0,
});

describe("OAuth tokens", () => {
  it("fetches once for deliveries that ask together, keeps the token, and fetches anew a minute before it expires", async () => {
    const tokens = new OAuthTokens(new OutboundPolicy([new URL(endpoint).host]), 5_000);
    answer = { status: 200, body: undefined };
    const before = issued;
    const now = 1_000_000;
    const first = await Promise.all([1, 2, 3].map(() => tokens.token(connection(1), now)));
    expect(new Set(first).size).toBe(1);
    expect(issued).toBe(before + 1);
    expect(await tokens.token(connection(1), now + 3_600_000 - 61_000)).toBe(first[0]);
    expect(await tokens.token(connection(1), now + 3_600_000 - 59_000)).not.toBe(first[0]);
    expect(issued).toBe(before + 2);
  });

  it("fetches anew for a changed connection and after a target refused the token", async () => {
    const tokens = new OAuthTokens(new OutboundPolicy([new URL(endpoint).host]), 5_000);
    answer = { status: 200, body: undefined };
    const one = await tokens.token(connection(1));
    const two = await tokens.token(connection(2));
    expect(two).not.toBe(one);
    tokens.forget(connection(2));
    expect(await tokens.token(connection(2))).not.toBe(two);
  });

  it("says whether an endpoint's answer deauthorizes the connection", async () => {
    const tokens = new OAuthTokens(new OutboundPolicy([new URL(endpoint).host]), 5_000);
    const failure = async () => tokens.token(connection(Date.now())).catch((error: TokenFailure) => error);
    answer = { status: 400, body: { error: "invalid_client" } };
    expect(await failure()).toMatchObject({
      deauthorizes: true,
      message: "The authorization endpoint answered 400.",
    });
    answer = { status: 503, body: {} };
    expect(await failure()).toMatchObject({ deauthorizes: false });
    answer = { status: 200, body: { access_token: "x".repeat(9_000) } };
    expect(await failure()).toMatchObject({ deauthorizes: true });
    const refused = new OAuthTokens(new OutboundPolicy(), 5_000);
    expect(await refused.token(connection(1)).catch((error: TokenFailure) => error)).toMatchObject({
      deauthorizes: true,
    });
  });
});
