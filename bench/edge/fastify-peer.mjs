// The peer: a bare Fastify server that answers `POST /` with the bytes Jeff returned for
// GetCallerIdentity (the file named by argv[2]), as `text/xml` with a fresh request id. It reads
// the form body like any POST route would, and does nothing else: no signature, no parsing.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import Fastify from "fastify";

const body = readFileSync(process.argv[2] ?? "");
const app = Fastify({ logger: false });
app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, form, done) =>
  done(null, form),
);
app.post("/", (_req, reply) => {
  reply.header("content-type", "text/xml").header("x-amzn-requestid", randomUUID()).send(body);
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
