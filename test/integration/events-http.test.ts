// HTTP targets: connections (API key, Basic) and API destinations, an event delivered as the
// HTTP request EventBridge makes, and an endpoint that always fails ending in the dead-letter
// queue after its target's retry policy; an endpoint on loopback the operator did not allow is
// never sent to.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  DeleteConnectionCommand,
  DescribeApiDestinationCommand,
  DescribeConnectionCommand,
  EventBridgeClient,
  ListApiDestinationsCommand,
  ListConnectionsCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type Target,
  UpdateConnectionCommand,
} from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deadLettersIn, firstDeadLetters } from "./dead-letters.js";
import { type JeffProcess, startJeff } from "./jeff-process.js";
import { failure } from "./lambda-helpers.js";
import { until } from "./until.js";

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let jeff: JeffProcess;
let events: EventBridgeClient;
const received: Received[] = [];
let endpoint: string;
/** The token the OAuth endpoint issues now, and the only one `/secured` takes. */
let oauthToken = "token-1";
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (chunk) => {
    body += chunk;
  });
  req.on("end", () => {
    received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    if (req.url === "/oauth/token") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ access_token: oauthToken, token_type: "Bearer", expires_in: 3600 }));
      return;
    }
    res.statusCode = req.url!.startsWith("/broken")
      ? 503
      : req.url === "/oauth/deny"
        ? 400
        : req.url!.startsWith("/secured") && req.headers.authorization !== `Bearer ${oauthToken}`
          ? 401
          : 200;
    res.end("{}");
  });
});

/** A rule `to-SOURCE` for the events from SOURCE, with one target: the API destination. */
async function ruleTo(source: string, destinationArn: string | undefined, target: Partial<Target> = {}) {
  await events.send(
    new PutRuleCommand({ Name: `to-${source}`, EventPattern: JSON.stringify({ source: [source] }) }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: `to-${source}`,
      Targets: [{ Id: source, Arn: destinationArn, ...target }],
    }),
  );
}

/** Puts an event from SOURCE for each detail. */
const putFrom = (source: string, ...details: string[]) =>
  events.send(
    new PutEventsCommand({ Entries: details.map((Detail) => ({ Source: source, DetailType: "d", Detail })) }),
  );

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The operator lets HTTP targets reach this one collector on loopback, and nothing else there.
  jeff = await startJeff({ args: ["--http-target-allow", new URL(endpoint).host] });
  events = new EventBridgeClient({
    endpoint: jeff.url,
    region: jeff.region,
    credentials: jeff.credentials,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  await jeff?.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("connections and API destinations", () => {
  it("keeps connections without showing their secrets, and answers as AWS does", async () => {
    const created = await events.send(
      new CreateConnectionCommand({
        Name: "hook-key",
        AuthorizationType: "API_KEY",
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-api-key", ApiKeyValue: "s3cret" } },
      }),
    );
    expect(created.ConnectionArn).toMatch(
      new RegExp(`^arn:aws:events:${jeff.region}:${jeff.accountId}:connection/hook-key/[0-9a-f-]{36}$`),
    );
    expect(created.ConnectionState).toBe("AUTHORIZED");
    const described = await events.send(new DescribeConnectionCommand({ Name: "hook-key" }));
    expect(described).toMatchObject({
      Name: "hook-key",
      AuthorizationType: "API_KEY",
      AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-api-key" } },
      ConnectionState: "AUTHORIZED",
    });
    expect(JSON.stringify(described)).not.toContain("s3cret");
    expect(described.SecretArn).toMatch(/^arn:aws:secretsmanager:.*:secret:events!connection\/hook-key\//);

    await events.send(
      new UpdateConnectionCommand({
        Name: "hook-key",
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-key" } },
      }),
    );
    expect(
      (await events.send(new DescribeConnectionCommand({ Name: "hook-key" }))).AuthParameters
        ?.ApiKeyAuthParameters,
    ).toEqual({
      ApiKeyName: "x-key",
    });
    const listed = await events.send(new ListConnectionsCommand({ NamePrefix: "hook" }));
    expect(listed.Connections!.map((connection) => connection.Name)).toEqual(["hook-key"]);

    await events.send(
      new CreateConnectionCommand({
        Name: "oauth",
        AuthorizationType: "OAUTH_CLIENT_CREDENTIALS",
        AuthParameters: {
          OAuthParameters: {
            AuthorizationEndpoint: "https://example.com/oauth",
            HttpMethod: "POST",
            ClientParameters: { ClientID: "id", ClientSecret: "secret" },
          },
        },
      }),
    );
    const oauth = await events.send(new DescribeConnectionCommand({ Name: "oauth" }));
    expect(oauth.ConnectionState).toBe("AUTHORIZING");
    const destination = await events.send(
      new CreateApiDestinationCommand({
        Name: "via-oauth",
        ConnectionArn: oauth.ConnectionArn,
        InvocationEndpoint: "https://example.com/api",
        HttpMethod: "POST",
      }),
    );
    expect(destination.ApiDestinationState).toBe("INACTIVE");
    const deleted = await events.send(new DeleteConnectionCommand({ Name: "oauth" }));
    expect(deleted.ConnectionState).toBe("DELETING");
    const missing = await failure(events.send(new DescribeConnectionCommand({ Name: "oauth" })));
    expect([missing.name, missing.message]).toEqual([
      "ResourceNotFoundException",
      "Failed to describe the connection(s). Connection 'oauth' does not exist.",
    ]);
    const badName = await failure(
      events.send(
        new CreateConnectionCommand({
          Name: "Invalid Name With Spaces!",
          AuthorizationType: "BASIC",
          AuthParameters: {},
        }),
      ),
    );
    expect(badName.message).toBe(
      "1 validation error detected: Value 'Invalid Name With Spaces!' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
    );
  });

  it("delivers an event as an HTTP request with the connection's key and the target's parameters", async () => {
    const connection = await events.send(new DescribeConnectionCommand({ Name: "hook-key" }));
    const destination = await events.send(
      new CreateApiDestinationCommand({
        Name: "hook",
        ConnectionArn: connection.ConnectionArn,
        InvocationEndpoint: `${endpoint}/hooks/*`,
        HttpMethod: "POST",
      }),
    );
    expect(destination.ApiDestinationState).toBe("ACTIVE");
    const described = await events.send(new DescribeApiDestinationCommand({ Name: "hook" }));
    expect(described).toMatchObject({ Name: "hook", HttpMethod: "POST", InvocationRateLimitPerSecond: 300 });
    expect(
      (await events.send(new ListApiDestinationsCommand({}))).ApiDestinations!.map((d) => d.Name),
    ).toContain("hook");

    await ruleTo("http", destination.ApiDestinationArn, {
      HttpParameters: {
        PathParameterValues: ["deploys"],
        HeaderParameters: { "x-team": "infra" },
        QueryStringParameters: { v: "1" },
      },
    });
    const put = await putFrom("http", '{"ok":1}');
    await until(() => received.some((request) => request.url.startsWith("/hooks/")), "the HTTP request");
    const request = received.find((r) => r.url.startsWith("/hooks/"))!;
    expect(request.method).toBe("POST");
    expect(request.url).toBe("/hooks/deploys?v=1");
    expect(request.headers["x-key"]).toBe("s3cret");
    expect(request.headers["x-team"]).toBe("infra");
    expect(request.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(JSON.parse(request.body)).toMatchObject({ id: put.Entries![0]!.EventId, detail: { ok: 1 } });
  });

  it("retries an endpoint that always fails as its retry policy says, then dead-letters the event", async () => {
    await events.send(
      new CreateConnectionCommand({
        Name: "basic",
        AuthorizationType: "BASIC",
        AuthParameters: { BasicAuthParameters: { Username: "u", Password: "p" } },
      }),
    );
    const connection = await events.send(new DescribeConnectionCommand({ Name: "basic" }));
    const destination = await events.send(
      new CreateApiDestinationCommand({
        Name: "broken",
        ConnectionArn: connection.ConnectionArn,
        InvocationEndpoint: `${endpoint}/broken`,
        HttpMethod: "PUT",
      }),
    );
    const queueArn = `arn:aws:sqs:${jeff.region}:${jeff.accountId}:broken-dlq`;
    await ruleTo("broken", destination.ApiDestinationArn, {
      RetryPolicy: { MaximumRetryAttempts: 2 },
      DeadLetterConfig: { Arn: queueArn },
    });
    await putFrom("broken", "{}");
    const letters = await firstDeadLetters(jeff, queueArn, "the dead letter");
    const attempts = received.filter((request) => request.url === "/broken");
    expect(attempts).toHaveLength(3);
    expect(attempts[0]!.headers.authorization).toBe(`Basic ${Buffer.from("u:p").toString("base64")}`);
    expect(letters[0]!.attributes).toMatchObject({
      ERROR_CODE: "SDK_CLIENT_ERROR",
      ERROR_MESSAGE: "Received a response status code of 503 from the API destination.",
      EXHAUSTED_RETRY_CONDITION: "MaximumRetryAttempts",
      RETRY_ATTEMPTS: "2",
    });
  });

  it("sends nothing to a loopback port the operator did not allow, and dead-letters the event at once", async () => {
    let hits = 0;
    const other = createServer((_req, res) => {
      hits += 1;
      res.end();
    });
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", () => resolve()));
    try {
      const connection = await events.send(new DescribeConnectionCommand({ Name: "basic" }));
      const destination = await events.send(
        new CreateApiDestinationCommand({
          Name: "elsewhere",
          ConnectionArn: connection.ConnectionArn,
          InvocationEndpoint: `http://127.0.0.1:${(other.address() as AddressInfo).port}/`,
          HttpMethod: "POST",
        }),
      );
      const queueArn = `arn:aws:sqs:${jeff.region}:${jeff.accountId}:elsewhere-dlq`;
      await ruleTo("elsewhere", destination.ApiDestinationArn, { DeadLetterConfig: { Arn: queueArn } });
      await putFrom("elsewhere", "{}");
      const letters = await firstDeadLetters(jeff, queueArn, "the dead letter");
      expect(letters[0]!.attributes).toMatchObject({
        ERROR_CODE: "CONNECTION_FAILURE",
        ERROR_MESSAGE:
          "Jeff does not send to 127.0.0.1 (a loopback address) unless the operator allows it with --http-target-allow.",
        RETRY_ATTEMPTS: "0",
      });
      expect(hits).toBe(0);
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  it("fetches an OAuth connection's token at its first delivery, sends it, and fetches anew when the target refuses it", async () => {
    const created = await events.send(
      new CreateConnectionCommand({
        Name: "oauth-live",
        AuthorizationType: "OAUTH_CLIENT_CREDENTIALS",
        AuthParameters: {
          OAuthParameters: {
            AuthorizationEndpoint: `${endpoint}/oauth/token`,
            HttpMethod: "POST",
            ClientParameters: { ClientID: "jeff-client", ClientSecret: "very-secret" },
            OAuthHttpParameters: { BodyParameters: [{ Key: "scope", Value: "events" }] },
          },
        },
      }),
    );
    expect(created.ConnectionState).toBe("AUTHORIZING");
    const destination = await events.send(
      new CreateApiDestinationCommand({
        Name: "secured",
        ConnectionArn: created.ConnectionArn,
        InvocationEndpoint: `${endpoint}/secured`,
        HttpMethod: "POST",
      }),
    );
    expect(destination.ApiDestinationState).toBe("INACTIVE");
    await ruleTo("secured", destination.ApiDestinationArn, { RetryPolicy: { MaximumRetryAttempts: 5 } });
    const delivered = (token: string) =>
      received.filter((r) => r.url === "/secured" && r.headers.authorization === `Bearer ${token}`).length;

    await putFrom("secured", '{"n":1}');
    await until(() => delivered("token-1") === 1, "the event, sent with the first token");
    const tokenRequest = received.find((r) => r.url === "/oauth/token")!;
    expect(tokenRequest.method).toBe("POST");
    expect(tokenRequest.headers.authorization).toBe(
      `Basic ${Buffer.from("jeff-client:very-secret").toString("base64")}`,
    );
    expect(tokenRequest.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(tokenRequest.body))).toEqual({
      scope: "events",
      grant_type: "client_credentials",
    });
    const authorized = await events.send(new DescribeConnectionCommand({ Name: "oauth-live" }));
    expect(authorized.ConnectionState).toBe("AUTHORIZED");
    expect(JSON.stringify(authorized)).not.toContain("very-secret");
    expect(
      (await events.send(new DescribeApiDestinationCommand({ Name: "secured" }))).ApiDestinationState,
    ).toBe("ACTIVE");

    // The endpoint rotates its token: the kept one is refused once, then a new one is fetched.
    oauthToken = "token-2";
    await putFrom("secured", '{"n":2}');
    await until(() => delivered("token-2") === 1, "the event, sent again with the new token");
    expect(received.filter((r) => r.url === "/oauth/token")).toHaveLength(2);
    expect(
      received.filter((r) => r.url === "/secured" && r.headers.authorization === "Bearer token-1"),
    ).toHaveLength(2);
  });

  it("deauthorizes an OAuth connection whose endpoint refuses it, and says why", async () => {
    const created = await events.send(
      new CreateConnectionCommand({
        Name: "oauth-denied",
        AuthorizationType: "OAUTH_CLIENT_CREDENTIALS",
        AuthParameters: {
          OAuthParameters: {
            AuthorizationEndpoint: `${endpoint}/oauth/deny`,
            HttpMethod: "POST",
            ClientParameters: { ClientID: "id", ClientSecret: "wrong" },
          },
        },
      }),
    );
    const destination = await events.send(
      new CreateApiDestinationCommand({
        Name: "denied",
        ConnectionArn: created.ConnectionArn,
        InvocationEndpoint: `${endpoint}/secured/denied`,
        HttpMethod: "POST",
      }),
    );
    const queueArn = `arn:aws:sqs:${jeff.region}:${jeff.accountId}:denied-dlq`;
    await ruleTo("denied", destination.ApiDestinationArn, { DeadLetterConfig: { Arn: queueArn } });
    await putFrom("denied", "{}");
    const letters = await firstDeadLetters(jeff, queueArn, "the dead letter");
    expect(letters[0]!.attributes).toMatchObject({
      ERROR_CODE: "CONNECTION_FAILURE",
      ERROR_MESSAGE: "Could not authorize connection oauth-denied: The authorization endpoint answered 400.",
    });
    const described = await events.send(new DescribeConnectionCommand({ Name: "oauth-denied" }));
    expect([described.ConnectionState, described.StateReason]).toEqual([
      "DEAUTHORIZED",
      "The authorization endpoint answered 400.",
    ]);
    expect(received.some((r) => r.url === "/secured/denied")).toBe(false);
  });

  it("holds deliveries over an API destination's rate limit back, without spending their retries", async () => {
    const connection = await events.send(new DescribeConnectionCommand({ Name: "basic" }));
    const destination = await events.send(
      new CreateApiDestinationCommand({
        Name: "limited",
        ConnectionArn: connection.ConnectionArn,
        InvocationEndpoint: `${endpoint}/limited`,
        HttpMethod: "POST",
        InvocationRateLimitPerSecond: 1,
      }),
    );
    const queueArn = `arn:aws:sqs:${jeff.region}:${jeff.accountId}:limited-dlq`;
    await ruleTo("limited", destination.ApiDestinationArn, {
      RetryPolicy: { MaximumRetryAttempts: 0 },
      DeadLetterConfig: { Arn: queueArn },
    });
    await events.send(
      new PutEventsCommand({
        Entries: [1, 2, 3, 4].map((n) => ({
          Source: "limited",
          DetailType: "d",
          Detail: JSON.stringify({ n }),
        })),
      }),
    );
    await until(() => received.filter((r) => r.url === "/limited").length === 4, "all four events");
    const metrics = await (await fetch(`${jeff.url}/_jeff/metrics`)).text();
    const throttled = metrics
      .split("\n")
      .filter(
        (line) => line.startsWith("jeff_events_delivery_throttled_total") && line.includes("to-limited"),
      )
      .map((line) => Number(line.split(" ").at(-1)));
    expect(throttled.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(await deadLettersIn(jeff, queueArn)).toEqual([]);
  });
});
