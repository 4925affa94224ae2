// The process floor: what a server that does nothing but hand each warm invoke to an OS process of
// its own (one invocation at a time per process, as in Jeff) spends on this machine. A bare Fastify
// route (the Fastify peer's) hands each request body to an idle child process over its stdin (a
// Unix socket pair, as Jeff's framed channel is) and answers with what the child writes back; a
// child is started when every one is busy, as Lambda scales, and kept. Each child JSON.parses the
// event, awaits the handler Jeff runs and JSON.stringifies its result: nothing else. No sandbox,
// signature, routing, concurrency limit, log or metric: a reference for what the process hop itself
// costs, measured beside Jeff in the same run. (Unlike the Fastify peer it sets no request id and
// does not parse a JSON body, so it errs on the cheap side.)
//
// Frames both ways: a u32 LE length, then the bytes.
import { spawn } from "node:child_process";
import Fastify from "fastify";

if (process.argv[2] === "--child") {
  const handler = async () => ({ ok: true, message: "hello" });
  let pending = Buffer.alloc(0);
  process.stdin.on("data", async (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32LE(0)) {
      const size = pending.readUInt32LE(0);
      const event = JSON.parse(pending.toString("utf8", 4, 4 + size));
      pending = pending.subarray(4 + size);
      const answer = Buffer.from(JSON.stringify(await handler(event)));
      const prefix = Buffer.allocUnsafe(4);
      prefix.writeUInt32LE(answer.length, 0);
      process.stdout.write(Buffer.concat([prefix, answer]));
    }
  });
} else {
  const idle = [];
  const children = [];
  const startChild = () => {
    const child = spawn(process.execPath, [process.argv[1], "--child"], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    let pending = Buffer.alloc(0);
    child.stdout.on("data", (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      if (pending.length < 4 || pending.length < 4 + pending.readUInt32LE(0)) return;
      const answer = pending.subarray(4, 4 + pending.readUInt32LE(0));
      pending = Buffer.alloc(0);
      const reply = child.reply;
      child.reply = undefined;
      idle.push(child);
      reply
        .header("content-type", "application/json")
        .header("x-amz-executed-version", "$LATEST")
        .send(answer);
    });
    children.push(child);
    return child;
  };
  const app = Fastify({ logger: false });
  // The body is handed on as bytes, JSON included (Fastify would otherwise parse it first).
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, payload, done) => done(null, payload));
  app.post("/2015-03-31/functions/:name/invocations", (req, reply) => {
    const child = idle.pop() ?? startChild();
    child.reply = reply;
    const body = Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body : Buffer.from("{}");
    const prefix = Buffer.allocUnsafe(4);
    prefix.writeUInt32LE(body.length, 0);
    child.stdin.write(Buffer.concat([prefix, body]));
    return reply;
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address();
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, port, pid: process.pid })}\n`);
  const stop = () => {
    for (const child of children) child.kill();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
