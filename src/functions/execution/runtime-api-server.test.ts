import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { type RuntimeApiListener, RuntimeApiServer, type RuntimeOutcome } from "./runtime-api-server.js";
import { FrameReader, frameParts, type RuntimeFrame } from "./runtime-channel.js";

const servers: RuntimeApiServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function recorder() {
  const events: Array<
    RuntimeOutcome | { kind: "waiting" } | { kind: "init-error"; body: string; type?: string }
  > = [];
  const listener: RuntimeApiListener = {
    waiting: () => events.push({ kind: "waiting" }),
    outcome: (outcome) => events.push(outcome),
    initError: (payload, type) =>
      events.push({ kind: "init-error", body: payload.toString(), ...(type ? { type } : {}) }),
  };
  return { events, listener };
}

async function start(listener: RuntimeApiListener, options = {}) {
  const server = await RuntimeApiServer.start(listener, options);
  servers.push(server);
  return { server, base: `http://${server.address}/2018-06-01/runtime` };
}

const invocation = {
  requestId: "id-1",
  payload: Buffer.from('{"a":1}'),
  deadlineMs: 1_700_000_000_000,
  invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:f",
  traceId: "Root=1-abc",
  clientContext: '{"custom":{}}',
};

it("long-polls /next, hands over the event with Lambda's headers and takes the response", async () => {
  const { events, listener } = recorder();
  const { server, base } = await start(listener);
  const next = fetch(`${base}/invocation/next`);
  await until(() => events.length === 1);
  expect(events).toEqual([{ kind: "waiting" }]);
  server.deliver(invocation);
  const res = await next;
  expect(await res.text()).toBe('{"a":1}');
  expect(Object.fromEntries([...res.headers].filter(([name]) => name.startsWith("lambda-runtime")))).toEqual({
    "lambda-runtime-aws-request-id": "id-1",
    "lambda-runtime-deadline-ms": "1700000000000",
    "lambda-runtime-invoked-function-arn": invocation.invokedFunctionArn,
    "lambda-runtime-trace-id": "Root=1-abc",
    "lambda-runtime-client-context": '{"custom":{}}',
  });
  const wrong = await fetch(`${base}/invocation/other/response`, { method: "POST", body: "1" });
  expect(wrong.status).toBe(400);
  expect(await wrong.json()).toEqual({ errorMessage: "Invalid request ID", errorType: "InvalidRequestID" });
  const ok = await fetch(`${base}/invocation/id-1/response`, { method: "POST", body: '"done"' });
  expect(ok.status).toBe(202);
  expect(events[1]).toEqual({ kind: "response", requestId: "id-1", payload: Buffer.from('"done"') });
});

it("queues an event delivered before the runtime asks, and takes errors with their type", async () => {
  const { events, listener } = recorder();
  const { server, base } = await start(listener);
  server.deliver(invocation);
  expect(await (await fetch(`${base}/invocation/next`)).text()).toBe('{"a":1}');
  const body = JSON.stringify({ errorType: "Error", errorMessage: "x", stackTrace: [] });
  const res = await fetch(`${base}/invocation/id-1/error`, {
    method: "POST",
    body,
    headers: { "Lambda-Runtime-Function-Error-Type": "Error" },
  });
  expect(res.status).toBe(202);
  expect(events).toEqual([
    { kind: "error", requestId: "id-1", payload: Buffer.from(body), errorType: "Error" },
  ]);
});

it("passes on Jeff-Output: none, the hint that no sync markers were written", async () => {
  const { events, listener } = recorder();
  const { server, base } = await start(listener);
  server.deliver(invocation);
  await fetch(`${base}/invocation/next`);
  const headers = { "Jeff-Output": "none" };
  await fetch(`${base}/invocation/id-1/response`, { method: "POST", body: "1", headers });
  expect(events).toEqual([
    { kind: "response", requestId: "id-1", payload: Buffer.from("1"), markedStreams: [] },
  ]);
});

it("refuses a response over 6 MiB + 100 bytes and reports it", async () => {
  const { events, listener } = recorder();
  const { server, base } = await start(listener, { maxPayloadBytes: 10 });
  server.deliver(invocation);
  await fetch(`${base}/invocation/next`);
  const res = await fetch(`${base}/invocation/id-1/response`, { method: "POST", body: "x".repeat(11) });
  expect(res.status).toBe(413);
  expect(events).toEqual([{ kind: "too-large", requestId: "id-1" }]);
});

it("takes init errors, and answers only under its secret prefix", async () => {
  const { events, listener } = recorder();
  const { server } = await start(listener, { pathPrefix: "s3cret" });
  expect(server.address).toMatch(/^127\.0\.0\.1:\d+\/s3cret$/);
  const port = server.address.split(":")[1]?.split("/")[0];
  const guess = await fetch(`http://127.0.0.1:${port}/2018-06-01/runtime/init/error`, {
    method: "POST",
    body: "{}",
  });
  expect(guess.status).toBe(404);
  const res = await fetch(`http://${server.address}/2018-06-01/runtime/init/error`, {
    method: "POST",
    body: '{"errorType":"Runtime.ImportModuleError"}',
    headers: { "Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError" },
  });
  expect(res.status).toBe(202);
  expect(events).toEqual([
    {
      kind: "init-error",
      body: '{"errorType":"Runtime.ImportModuleError"}',
      type: "Runtime.ImportModuleError",
    },
  ]);
});

/** Two connected Unix sockets, as the socket pair an environment's runtime inherits. */
async function socketPair(): Promise<[Socket, Socket]> {
  const dir = mkdtempSync(join(tmpdir(), "jeff-channel-"));
  const path = join(dir, "s");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const accepted = new Promise<Socket>((resolve) => server.once("connection", resolve));
  const near = connect(path);
  const far = await accepted;
  server.close();
  rmSync(dir, { recursive: true, force: true });
  return [near, far];
}

/** The runtime's end of the channel: frames it sends and the events it reads. */
async function channel(server: RuntimeApiServer) {
  const [jeffSide, runtimeSide] = await socketPair();
  let broken = 0;
  server.attachChannel(jeffSide, () => {
    broken += 1;
  });
  const received: RuntimeFrame[] = [];
  const reader = new FrameReader(1 << 24);
  runtimeSide.on("data", (chunk: Buffer) => received.push(...reader.push(chunk)));
  const send = (head: object, body = "") =>
    runtimeSide.write(Buffer.concat(frameParts(head, Buffer.from(body))));
  return {
    received,
    send,
    end: () => runtimeSide.destroy(),
    writeRaw: (bytes: Buffer) => runtimeSide.write(bytes),
    broken: () => broken,
  };
}

it("serves the runtime on the framed channel: one frame each way, the result asking for the next", async () => {
  const { events, listener } = recorder();
  const { server } = await start(listener);
  const runtime = await channel(server);
  runtime.send({ k: "next" });
  await until(() => events.length === 1);
  expect(events).toEqual([{ kind: "waiting" }]);
  server.deliver(invocation);
  await until(() => runtime.received.length === 1);
  expect(runtime.received[0]?.head).toEqual({
    id: "id-1",
    d: invocation.deadlineMs,
    a: invocation.invokedFunctionArn,
    x: "Root=1-abc",
    c: '{"custom":{}}',
  });
  expect(runtime.received[0]?.body?.toString()).toBe('{"a":1}');
  // An answer for another request is refused; the right one settles it, its stdout marked.
  runtime.send({ k: "response", id: "other", s: 0, n: 1 }, "1");
  runtime.send({ k: "response", id: "id-1", s: 1, n: 1 }, '"done"');
  await until(() => events.length === 3);
  expect(events.slice(1)).toEqual([
    { kind: "response", requestId: "id-1", payload: Buffer.from('"done"'), markedStreams: ["stdout"] },
    { kind: "waiting" },
  ]);
  server.deliver({ ...invocation, requestId: "id-2" });
  await until(() => runtime.received.length === 2);
  runtime.send({ k: "error", id: "id-2", t: "TypeError", s: 0 }, '{"errorType":"TypeError"}');
  await until(() => events.length === 4);
  expect(events[3]).toEqual({
    kind: "error",
    requestId: "id-2",
    payload: Buffer.from('{"errorType":"TypeError"}'),
    errorType: "TypeError",
    markedStreams: [],
  });
  runtime.end();
});

it("reports a result over the limit sent on the channel, and takes init errors there", async () => {
  const { events, listener } = recorder();
  const { server } = await start(listener, { maxPayloadBytes: 10 });
  const runtime = await channel(server);
  server.deliver(invocation);
  runtime.send({ k: "next" });
  await until(() => runtime.received.length === 1);
  runtime.send({ k: "response", id: "id-1", s: 3, n: 1 }, "x".repeat(11));
  runtime.send({ k: "init-error", t: "Runtime.ImportModuleError" }, "{}");
  await until(() => events.length === 3);
  expect(events).toEqual([
    { kind: "too-large", requestId: "id-1", markedStreams: ["stdout", "stderr"] },
    { kind: "waiting" },
    { kind: "init-error", body: "{}", type: "Runtime.ImportModuleError" },
  ]);
  runtime.end();
});

/** Waits for `condition`; the deadline is generous, only there to fail rather than hang. */
async function until(condition: () => boolean): Promise<void> {
  const end = Date.now() + 60_000;
  while (!condition() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

it("ends the environment when the runtime breaks the channel's framing, and takes no error type that is not a name", async () => {
  const { events, listener } = recorder();
  const { server } = await start(listener);
  const runtime = await channel(server);
  server.deliver(invocation);
  runtime.send({ k: "next" });
  await until(() => runtime.received.length === 1);
  // A forged report line in an error type is not taken as the type.
  runtime.send({ k: "error", id: "id-1", t: "Oops\nREPORT RequestId: forged", s: 0 }, "{}");
  await until(() => events.length === 1);
  expect(events[0]).toMatchObject({ kind: "error", requestId: "id-1", errorType: undefined });
  // A head that is not JSON: the channel is closed and the environment told to end.
  const bad = Buffer.concat(frameParts({}, Buffer.alloc(0)));
  bad.write("[]", 8);
  runtime.writeRaw(bad);
  await until(() => runtime.broken() === 1);
  runtime.end();
});
