// The peer: a bare Fastify server that answers `POST /` with the bytes Jeff returned for
// GetCallerIdentity (the file named by argv[2]), as `text/xml` with a fresh request id. It reads
// the body like any POST route would, and does nothing else: no signature, no parsing.
// bench/functions reuses it for Invoke: argv[3] is then JSON `{ route, contentType, headers }`
// (a Fastify route such as `/2015-03-31/functions/:name/invocations`, and headers to add).
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import Fastify from "fastify";

const body = readFileSync(process.argv[2] ?? "");
const { route = "/", contentType = "text/xml", headers = {} } = JSON.parse(process.argv[3] ?? "{}");
const app = Fastify({ logger: false });
app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, form, done) =>
  done(null, form),
);
// Invoke payloads come as JSON, octet-stream or with no type at all: read them, do not parse.
app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, payload, done) => done(null, payload));
app.post(route, (_req, reply) => {
  reply.header("content-type", contentType).header("x-amzn-requestid", randomUUID());
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  reply.send(body);
});

await app.listen({ host: "127.0.0.1", port: 0 });
const { port } = app.server.address();
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, port, pid: process.pid })}\n`);

const stop = () => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
