// A few thousand malformed requests: each must get a 4xx in an AWS error shape, and Jeff must stay up.
import { connect } from "node:net";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, expect, it } from "vitest";
import { signedHeaders } from "./aws-signer.js";
import { type JeffProcess, startJeff } from "./jeff-process.js";

let jeff: JeffProcess;
beforeAll(async () => {
  jeff = await startJeff();
});
afterAll(async () => {
  await jeff?.stop();
});

/** A small deterministic generator, so a failure can be replayed. */
function prng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  return { int, pick, bytes };
}

const random = prng(20261126);
const contentTypes = [
  "application/json",
  "application/x-amz-json-1.0",
  "application/x-amz-json-1.1",
  "application/x-www-form-urlencoded",
  "text/plain",
  "application/xml",
  "multipart/form-data; boundary=x",
  "",
];
const targets = [
  "AWSStepFunctions.StartExecution",
  "AWSEvents.PutEvents",
  "Nope.Nothing",
  "",
  ".",
  "a.b.c.d",
  "AWSEvents.",
  "x".repeat(300),
];
const actions = [
  "AssumeRoleWithNothing",
  "DoesNotExist",
  "",
  "getcalleridentity",
  "GetCallerIdentity\u0000",
  "%00",
];
const bodies = [
  '{"a":',
  "{",
  "[]",
  "null",
  '{"x":1}',
  "Action=",
  "Action=DoesNotExist&Version=2011-06-15",
  "\u0000\u0001",
  "A".repeat(2000),
];

interface Reply {
  status: number;
  body: string;
  errorType: string | null;
}

function assertAwsShaped(reply: Reply, what: string) {
  expect(reply.status, what).toBeGreaterThanOrEqual(400);
  expect(reply.status, what).toBeLessThan(500);
  if (reply.body.startsWith("<")) {
    expect(reply.body, what).toMatch(
      /<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>[^<]+<\/Code><Message>[^<]*<\/Message><\/Error><RequestId>/,
    );
  } else {
    const parsed = JSON.parse(reply.body) as { __type?: unknown; message?: unknown };
    expect(typeof parsed.__type, what).toBe("string");
    expect(typeof parsed.message, what).toBe("string");
    expect(reply.errorType, what).toBe(parsed.__type);
  }
}

async function send(path: string, init: RequestInit): Promise<Reply> {
  const res = await fetch(jeff.url + path, init);
  return { status: res.status, body: await res.text(), errorType: res.headers.get("x-amzn-errortype") };
}

async function oneMalformedRequest(i: number): Promise<[string, Reply]> {
  const kind = i % 6;
  const contentType = random.pick(contentTypes);
  const body = random.int(4) === 0 ? random.bytes(random.int(300)) : random.pick(bodies);
  const headers: Record<string, string> = contentType ? { "content-type": contentType } : {};
  switch (kind) {
    case 0: {
      // Unsigned, any protocol.
      if (random.int(2)) headers["x-amz-target"] = random.pick(targets);
      const method = random.pick(["POST", "GET", "PUT", "DELETE"]);
      const path = random.pick(["/", "/2015-03-31/functions", "/?Action=GetCallerIdentity", "/%zz", "//.."]);
      return [`unsigned #${i}`, await send(path, { method, headers, ...(method !== "GET" ? { body } : {}) })];
    }
    case 1: {
      // Garbage Authorization headers.
      headers.authorization = random.pick([
        "AWS4-HMAC-SHA256",
        "AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=",
        `AWS4-HMAC-SHA256 Credential=${jeff.credentials.accessKeyId}/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00`,
        "Basic dXNlcjpwYXNz",
        "AWS4-ECDSA-P256-SHA256 Credential=x",
        random
          .bytes(40)
          .toString("latin1")
          .replace(/[^\x20-\x7e]/g, "?"),
      ]);
      headers["x-amz-date"] = random.pick(["20261126T000000Z", "yesterday", ""]);
      return [`bad authorization #${i}`, await send("/", { method: "POST", headers, body })];
    }
    case 2: {
      // Correctly signed STS calls with unknown actions and broken bodies.
      const text = `Action=${encodeURIComponent(random.pick(actions))}&Version=2011-06-15${random.int(2) ? "&%=%" : ""}`;
      const payload = random.int(3) === 0 ? body : text;
      const h = {
        "content-type": random.int(3) ? "application/x-www-form-urlencoded" : contentType || "text/plain",
      };
      const signed = await signedHeaders({
        url: `${jeff.url}/`,
        method: "POST",
        headers: h,
        body: payload,
        service: "sts",
        region: jeff.region,
        credentials: jeff.credentials,
      });
      const reply = await send("/", { method: "POST", headers: signed, body: payload });
      return [`signed sts ${JSON.stringify(payload).slice(0, 60)}`, reply];
    }
    case 3: {
      if (random.int(2) === 0) {
        // Signed for a service Jeff does not serve.
        const h = { "content-type": "application/x-amz-json-1.1", "x-amz-target": random.pick(targets) };
        const signed = await signedHeaders({
          url: `${jeff.url}/`,
          method: "POST",
          headers: h,
          body: "{}",
          service: random.pick(["nosuchservice", "s3x", "ec2"]),
          region: jeff.region,
          credentials: jeff.credentials,
        });
        return [`unknown service #${i}`, await send("/", { method: "POST", headers: signed, body: "{}" })];
      }
      // Correctly signed awsJson1_1 calls (SSM) with broken bodies and unknown operations.
      const operation = random.pick(["GetParameter", "PutParameter", "DeleteParameter", "LaunchRockets", ""]);
      const payload = random.int(4) === 0 ? random.bytes(random.int(200)) : random.pick(bodies);
      const h = {
        "content-type": random.int(4) ? "application/x-amz-json-1.1" : contentType || "text/plain",
        "x-amz-target": `AmazonSSM.${operation}`,
      };
      const signed = await signedHeaders({
        url: `${jeff.url}/`,
        method: "POST",
        headers: h,
        body: payload,
        service: "ssm",
        region: jeff.region,
        credentials: jeff.credentials,
      });
      return [
        `signed ssm ${operation} ${JSON.stringify(String(payload)).slice(0, 60)}`,
        await send("/", { method: "POST", headers: signed, body: payload }),
      ];
    }
    case 4: {
      // Signed, then the body truncated: the signature no longer matches.
      const full = "Action=GetCallerIdentity&Version=2011-06-15";
      const h = { "content-type": "application/x-www-form-urlencoded" };
      const signed = await signedHeaders({
        url: `${jeff.url}/`,
        method: "POST",
        headers: h,
        body: full,
        service: "sts",
        region: jeff.region,
        credentials: jeff.credentials,
      });
      return [
        `truncated #${i}`,
        await send("/", {
          method: "POST",
          headers: signed,
          body: full.slice(0, 1 + random.int(full.length - 2)),
        }),
      ];
    }
    default: {
      // Oversized header values (under Node's 16 KB limit) and odd paths.
      headers["x-amz-target"] = "x".repeat(1000 + random.int(8000));
      return [
        `big header #${i}`,
        await send(`/${"a/".repeat(random.int(200))}`, { method: "POST", headers, body }),
      ];
    }
  }
}

function rawExchange(payload: Buffer | string): Promise<string> {
  const url = new URL(jeff.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let data = "";
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
    });
    socket.on("end", () => resolve(data));
    socket.on("close", () => resolve(data));
    socket.on("error", reject);
    socket.setTimeout(10_000, () => socket.destroy());
    socket.end(payload);
  });
}

function parseRaw(text: string): Reply {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  const [head = "", body = ""] = text.split("\r\n\r\n");
  const errorType = /^x-amzn-errortype: (.*)$/im.exec(head)?.[1]?.trim() ?? null;
  return { status, body, errorType };
}

it("answers 2,500 malformed requests with AWS-shaped 4xx errors", async () => {
  const total = 2500;
  const batch = 25;
  for (let start = 0; start < total; start += batch) {
    const replies = await Promise.all(
      Array.from({ length: batch }, (_, k) => oneMalformedRequest(start + k)),
    );
    for (const [what, reply] of replies) assertAwsShaped(reply, what);
  }
});

it("answers requests the HTTP parser refuses with AWS-shaped 4xx errors", async () => {
  const cases = [
    `POST / HTTP/1.1\r\nHost: x\r\nX-Huge: ${"h".repeat(20_000)}\r\n\r\n`,
    "GARBAGE\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n",
    "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "GET /\u0000 HTTP/1.1\r\n\r\n",
  ];
  for (let i = 0; i < 100; i++) {
    const text = await rawExchange(cases[i % cases.length]!);
    assertAwsShaped(parseRaw(text), `raw case ${i % cases.length}`);
  }
  // A body declared larger than the limit is refused before it is read.
  const tooLarge = parseRaw(
    await rawExchange(
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 999999999\r\nConnection: close\r\n\r\nAction=",
    ),
  );
  expect(tooLarge.status).toBe(413);
  assertAwsShaped({ ...tooLarge, status: 400 }, "too large");
});

it("is still up and answering afterwards", async () => {
  const health = await fetch(`${jeff.url}/_jeff/health`);
  expect(health.status).toBe(200);
  const client = new STSClient({ endpoint: jeff.url, region: jeff.region, credentials: jeff.credentials });
  const who = await client.send(new GetCallerIdentityCommand({}));
  expect(who.Account).toBe(jeff.accountId);
});
