// The Node runtime client against a hand-written Runtime API on a raw socket: the HTTP it must
// read (chunked and Content-Length bodies, headers in any case, answers split across packets,
// a server that closes the connection after each answer) and what it must send.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { nodeRuntimeClient } from "../runtime-launch.js";

const codeDir = mkdtempSync(join(tmpdir(), "jeff-client-"));
writeFileSync(
  join(codeDir, "index.mjs"),
  `export const handler = async (event, context) => ({ event, id: context.awsRequestId,
    arn: context.invokedFunctionArn, clientContext: context.clientContext,
    identity: context.identity, trace: process.env._X_AMZN_TRACE_ID,
    remaining: context.getRemainingTimeInMillis() > 0 });
  export const fails = async () => { throw new TypeError("nope"); };`,
);
afterAll(() => rmSync(codeDir, { recursive: true, force: true }));

interface Received {
  readonly head: string;
  readonly body: string;
}

/** Serves `events` to one client process, then answers its next `/next` by ending the test. */
async function run(
  handler: string,
  events: { headers: string; body: string }[],
  style: "chunked" | "length",
) {
  const received: Received[] = [];
  let served = 0;
  const server = createServer((socket: Socket) => {
    let buffer = "";
    socket.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("latin1");
      for (;;) {
        const end = buffer.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = buffer.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        received.push({ head, body: buffer.slice(end + 4, end + 4 + length) });
        buffer = buffer.slice(end + 4 + length);
        if (head.startsWith("GET ")) {
          const event = events[served++];
          if (!event) {
            socket.destroy();
            server.close();
            return;
          }
          const size = Buffer.byteLength(event.body);
          const body =
            style === "chunked" ? `${size.toString(16)}\r\n${event.body}\r\n0\r\n\r\n` : event.body;
          const framing = style === "chunked" ? "Transfer-Encoding: chunked" : `Content-Length: ${size}`;
          const answer = Buffer.from(`HTTP/1.1 200 OK\r\n${event.headers}${framing}\r\n\r\n${body}`);
          // In two packets, split inside the head.
          socket.write(answer.subarray(0, 20));
          setTimeout(() => socket.write(answer.subarray(20)), 5);
        } else {
          const body = '{"status":"OK"}';
          socket.write(
            `HTTP/1.1 202 Accepted\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
          );
          // Whatever was pipelined behind it is not read: the client must send it again.
          socket.end();
          return;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const child = spawn(process.execPath, [nodeRuntimeClient()], {
    cwd: codeDir,
    env: { AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}/secret`, LAMBDA_TASK_ROOT: codeDir, _HANDLER: handler },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  await new Promise((resolve) => child.once("close", resolve));
  return { received, stderr };
}

const deadline = Date.now() + 60_000;
const identity = Buffer.from('{"cognitoIdentityId":"i"}').toString("base64");

it.each(["chunked", "length"] as const)(
  "reads %s answers and posts results on the secret path",
  async (style) => {
    const { received } = await run(
      "index.handler",
      [
        {
          headers:
            `lambda-runtime-aws-request-id: id-1\r\nLAMBDA-RUNTIME-DEADLINE-MS: ${deadline}\r\n` +
            "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:eu-west-1:1:function:f\r\n" +
            'Lambda-Runtime-Trace-Id: Root=1-abc\r\nLambda-Runtime-Client-Context: {"custom":{"a":1}}\r\n' +
            `Lambda-Runtime-Cognito-Identity: ${identity}\r\n`,
          body: '{"héllo":"wörld"}',
        },
        {
          headers: `Lambda-Runtime-Aws-Request-Id: id-2\r\nLambda-Runtime-Deadline-Ms: ${deadline}\r\n`,
          body: "7",
        },
      ],
      style,
    );
    expect(received.map((r) => r.head.split("\r\n")[0])).toEqual([
      "GET /secret/2018-06-01/runtime/invocation/next HTTP/1.1",
      "POST /secret/2018-06-01/runtime/invocation/id-1/response HTTP/1.1",
      "GET /secret/2018-06-01/runtime/invocation/next HTTP/1.1",
      "POST /secret/2018-06-01/runtime/invocation/id-2/response HTTP/1.1",
      "GET /secret/2018-06-01/runtime/invocation/next HTTP/1.1",
    ]);
    expect(JSON.parse(Buffer.from(received[1]?.body ?? "", "latin1").toString("utf8"))).toEqual({
      event: { héllo: "wörld" },
      id: "id-1",
      arn: "arn:aws:lambda:eu-west-1:1:function:f",
      clientContext: { custom: { a: 1 } },
      identity: { cognitoIdentityId: "i" },
      trace: "Root=1-abc",
      remaining: true,
    });
    expect(JSON.parse(received[3]?.body ?? "")).toEqual({ event: 7, id: "id-2", arn: "", remaining: true });
    // The first result follows the start (which may have written), so it comes after the markers;
    // the second invocation wrote nothing, so no markers: the header says so.
    expect(received[1]?.head).not.toContain("Jeff-Output");
    expect(received[3]?.head).toMatch(/\r\nJeff-Output: none(\r\n|$)/);
  },
);

it("posts a failure to /error with its type", async () => {
  const { received, stderr } = await run(
    "index.fails",
    [
      {
        headers: `Lambda-Runtime-Aws-Request-Id: id-9\r\nLambda-Runtime-Deadline-Ms: ${deadline}\r\n`,
        body: "{}",
      },
    ],
    "length",
  );
  expect(received[1]?.head).toMatch(
    /^POST \/secret\/2018-06-01\/runtime\/invocation\/id-9\/error HTTP\/1.1\r\n/,
  );
  expect(received[1]?.head).toContain("\r\nLambda-Runtime-Function-Error-Type: TypeError");
  // The error was logged, so the markers were written and the header is absent.
  expect(received[1]?.head).not.toContain("Jeff-Output");
  expect(stderr).toContain("\u0000jeff-sync:id-9\u0000");
  expect(JSON.parse(received[1]?.body ?? "")).toMatchObject({ errorType: "TypeError", errorMessage: "nope" });
});
