/**
 * Jeff's Node runtime client: the program an execution environment runs for `nodejs*` functions.
 * It loads the handler named by `_HANDLER` from `LAMBDA_TASK_ROOT`, then loops as AWS's runtime
 * interface client does: the next event, the handler, its result or error; a failed load is an
 * init error. Given `--channel-fd=N`, it speaks the framed channel of ../../runtime-channel.ts on
 * that descriptor (one frame each way per invocation); otherwise the Lambda Runtime API
 * (2018-06-01) over HTTP: `/next`, `/response` or `/error`, `/runtime/init/error`. Given
 * `--await-config` too (a pooled slot, started before it had a function), it first says it stands
 * by and waits for its configuration frame: the variables it then runs with, as if it had started
 * with them.
 *
 * Invariant: this file imports nothing but `node:` modules — it runs inside the function's
 * sandbox, which may read only the function's code and this folder.
 */
import fs, { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { connect, Socket } from "node:net";
import { dirname, join, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { format, types } from "node:util";

type Handler = (event: unknown, context: LambdaContext, callback: Callback) => unknown;
type Callback = (error?: unknown, result?: unknown) => void;
interface LambdaContext {
  readonly awsRequestId: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly clientContext: unknown;
  readonly identity: unknown;
  callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
  done(error?: unknown, result?: unknown): void;
  succeed(result?: unknown): void;
  fail(error?: unknown): void;
}
interface ErrorBody {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
}

/** Written after each invocation's output so the host knows it has read all of it (see ../process-output.ts). */
const syncMarker = (requestId: string) => `\u0000jeff-sync:${requestId}\u0000`;

/**
 * Which of process.stdout (1) and process.stderr (2) were written to since the last sync markers
 * (console writes there too). Only those get a marker; when neither was, the result says so
 * (over HTTP with `Jeff-Output: none`), which tells the host there is nothing to wait for.
 */
let unsynced = 3;

function trackWrites(stream: NodeJS.WriteStream, bit: number): void {
  const write = stream.write;
  stream.write = function (this: NodeJS.WriteStream, ...args: unknown[]) {
    unsynced |= bit;
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof stream.write;
}

/** Writes that go straight to descriptors 1 and 2, as logging libraries such as pino make them. */
function trackDescriptorWrites(): void {
  const patched = fs as unknown as Record<string, (fd: unknown, ...rest: unknown[]) => unknown>;
  for (const name of ["write", "writeSync", "writev", "writevSync"]) {
    const original = patched[name];
    if (typeof original !== "function") continue;
    patched[name] = function (this: unknown, fd: unknown, ...rest: unknown[]) {
      if (fd === 1 || fd === 2) unsynced |= fd;
      return original.call(this, fd, ...rest);
    };
  }
  // `import { writeSync } from "node:fs"` sees the wrapped functions too.
  syncBuiltinESMExports();
}

/** Writes the markers for `id` to the streams in `streams` (1 stdout, 2 stderr). */
function writeSyncMarkers(id: string, streams = 3): void {
  if (streams & 1) process.stdout.write(syncMarker(id));
  if (streams & 2) process.stderr.write(syncMarker(id));
  unsynced = 0;
}

const env = process.env;
const taskRoot = resolve(env.LAMBDA_TASK_ROOT ?? process.cwd());

// ----- Runtime API client: HTTP/1.1 over one keep-alive socket -----
//
// node:http's client (agent, request and response objects, streams) cost more CPU than the rest
// of an invocation's round trip; the Runtime API needs only sequential requests on one connection.

interface ApiResponse {
  readonly status: number;
  /** Lower-cased names; a repeated header keeps its first value. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer;
}

/** `host:port/optional/path/prefix`, as Jeff (and Lambda) set it. */
function parseRuntimeApi(value: string) {
  const slash = value.indexOf("/");
  const authority = slash < 0 ? value : value.slice(0, slash);
  const prefix = slash < 0 ? "" : value.slice(slash).replace(/\/+$/, "");
  const colon = authority.lastIndexOf(":");
  const hasPort = colon > authority.lastIndexOf("]");
  const host = (hasPort ? authority.slice(0, colon) : authority).replace(/^\[(.*)\]$/, "$1");
  const port = hasPort ? Number(authority.slice(colon + 1)) : 80;
  return { authority, host: host || "127.0.0.1", port, base: `${prefix}/2018-06-01/runtime` };
}

const api = parseRuntimeApi(env.AWS_LAMBDA_RUNTIME_API ?? "");
const crlf2 = Buffer.from("\r\n\r\n");

interface Pending {
  /** The request as written, to write again on a new connection if the server closed this one first. */
  readonly bytes: string;
  readonly done: (res: ApiResponse) => void;
  readonly fail: (error: Error) => void;
}

class RuntimeConnection {
  #socket: Socket | undefined;
  #buffer: Buffer = Buffer.alloc(0);
  /** Written (or about to be), answered in this order. */
  #pending: Pending[] = [];
  /** Requests made in the same turn go out in one write (a result and the next /next). */
  #unwritten = "";
  /** The response being read: its head parsed, its body not yet complete. */
  #head: { status: number; headers: Record<string, string | undefined>; close: boolean } | undefined;

  /** Requests are pipelined on one connection; answers come back in order. */
  call(method: string, path: string, body?: string, headers = ""): Promise<ApiResponse> {
    let bytes = `${method} ${api.base}${path} HTTP/1.1\r\nHost: ${api.authority}\r\n${headers}`;
    if (body !== undefined) {
      bytes += `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    } else bytes += "\r\n";
    return new Promise((done, fail) => {
      this.#pending.push({ bytes, done, fail });
      this.#write(bytes);
    });
  }

  #write(bytes: string): void {
    if (this.#unwritten === "") queueMicrotask(() => this.#flush());
    this.#unwritten += bytes;
  }

  #flush(): void {
    const bytes = this.#unwritten;
    this.#unwritten = "";
    if (bytes) (this.#socket ?? this.#connect()).write(bytes);
  }

  #connect(): Socket {
    const socket = connect(api.port, api.host);
    socket.setNoDelay(true);
    this.#socket = socket;
    this.#buffer = Buffer.alloc(0);
    this.#head = undefined;
    socket.on("data", (chunk: Buffer) => {
      this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
      this.#parse();
    });
    const gone = (error?: Error) => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      socket.destroy();
      // A body delimited by the connection's end is complete now.
      const head = this.#head;
      if (head && !("transfer-encoding" in head.headers) && !("content-length" in head.headers)) {
        this.#finish(this.#buffer);
        if (this.#pending.length > 0) this.#rewrite();
        return;
      }
      this.#reject(error ?? new Error("the Runtime API closed the connection"));
    };
    socket.on("error", gone);
    socket.on("close", () => gone());
    return socket;
  }

  #parse(): void {
    for (;;) {
      if (!this.#head) {
        const end = this.#buffer.indexOf(crlf2);
        if (end < 0) return;
        const lines = this.#buffer.toString("latin1", 0, end).split("\r\n");
        this.#buffer = this.#buffer.subarray(end + 4);
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "")?.[1]);
        if (!status) {
          this.#protocolError("a malformed status line");
          return;
        }
        const headers: Record<string, string | undefined> = Object.create(null);
        for (let i = 1; i < lines.length; i++) {
          const line = lines[i] as string;
          const colon = line.indexOf(":");
          if (colon <= 0) continue;
          const name = line.slice(0, colon).trim().toLowerCase();
          if (headers[name] === undefined) headers[name] = line.slice(colon + 1).trim();
        }
        if (status >= 100 && status < 200) continue; // 100 Continue and the like: the answer follows
        const close = /(^|,)\s*close\s*(,|$)/i.test(headers.connection ?? "");
        this.#head = { status, headers, close };
      }
      const body = this.#body(this.#head);
      if (body === undefined) return;
      this.#finish(body);
      if (!this.#socket) return;
    }
  }

  /** The complete body, or undefined while more is to come. */
  #body(head: { status: number; headers: Record<string, string | undefined> }): Buffer | undefined {
    if (head.status === 204 || head.status === 304) return Buffer.alloc(0);
    if (/chunked/i.test(head.headers["transfer-encoding"] ?? "")) return this.#chunkedBody();
    const length = head.headers["content-length"];
    if (length === undefined) return undefined; // until the connection ends
    const size = Number(length);
    if (!(size >= 0)) return this.#protocolError("a malformed Content-Length");
    if (this.#buffer.length < size) return undefined;
    const body = this.#buffer.subarray(0, size);
    this.#buffer = this.#buffer.subarray(size);
    return body;
  }

  #chunkedBody(): Buffer | undefined {
    const chunks: Buffer[] = [];
    let at = 0;
    for (;;) {
      const lineEnd = this.#buffer.indexOf("\r\n", at);
      if (lineEnd < 0) return undefined;
      const size = Number.parseInt(this.#buffer.toString("latin1", at, lineEnd), 16);
      if (Number.isNaN(size)) return this.#protocolError("a malformed chunk size");
      at = lineEnd + 2;
      if (size === 0) {
        // Trailers, if any, end with an empty line.
        const end = this.#buffer.indexOf(crlf2, at - 2);
        if (end < 0) return undefined;
        this.#buffer = this.#buffer.subarray(end + 4);
        return Buffer.concat(chunks);
      }
      if (this.#buffer.length < at + size + 2) return undefined;
      chunks.push(this.#buffer.subarray(at, at + size));
      at += size + 2;
    }
  }

  #finish(body: Buffer): void {
    const head = this.#head;
    this.#head = undefined;
    const pending = this.#pending.shift();
    if (head?.close) {
      const socket = this.#socket;
      this.#socket = undefined;
      socket?.destroy();
      // The server will not read what was pipelined behind this request.
      this.#rewrite();
    }
    if (head && pending) pending.done({ status: head.status, headers: head.headers, body });
  }

  /** Writes the requests still unanswered again, on a new connection. */
  #rewrite(): void {
    this.#unwritten = "";
    for (const pending of this.#pending) this.#write(pending.bytes);
  }

  #protocolError(what: string): undefined {
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.destroy();
    this.#reject(new Error(`the Runtime API sent ${what}`));
    return undefined;
  }

  /** Fails every request on the connection. */
  #reject(error: Error): void {
    const pending = this.#pending;
    this.#pending = [];
    this.#unwritten = "";
    this.#head = undefined;
    for (const request of pending) request.fail(error);
  }
}

const connection = new RuntimeConnection();

// ----- the two ways to Jeff: HTTP (above), or the framed channel -----

/** One event, as either way delivers it. */
interface Invocation {
  readonly requestId: string;
  readonly deadlineMs: number;
  readonly invokedFunctionArn: string;
  readonly traceId: string | undefined;
  readonly clientContext: string | undefined;
  readonly identity: string | undefined;
  readonly body: Buffer;
}

type Outcome = { readonly ok: true; readonly body: string } | { readonly ok: false; readonly error: unknown };

interface Transport {
  /** The first event, once the handler is loaded. */
  first(): Promise<Invocation>;
  /** Sends the outcome of `requestId`, its output synced, and resolves with the next event. */
  finish(requestId: string, outcome: Outcome): Promise<Invocation>;
  /** The outcome of a failure that ends the process (an uncaught exception); resolves once sent. */
  fail(requestId: string, error: unknown): Promise<void>;
  initError(error: unknown): Promise<void>;
  /** A pooled runtime's variables, sent once before anything else (the channel only). */
  configuration?(): Promise<Record<string, string>>;
}

function fromResponse(next: ApiResponse): Invocation {
  if (next.status !== 200) throw new Error(`Runtime API /next answered ${next.status}`);
  const h = next.headers;
  return {
    requestId: h["lambda-runtime-aws-request-id"] ?? "",
    deadlineMs: Number(h["lambda-runtime-deadline-ms"] ?? Date.now()),
    invokedFunctionArn: h["lambda-runtime-invoked-function-arn"] ?? "",
    traceId: h["lambda-runtime-trace-id"],
    clientContext: h["lambda-runtime-client-context"],
    identity: h["lambda-runtime-cognito-identity"],
    body: next.body,
  };
}

/**
 * Whether the next /next goes out in the same write as a result. Through the sandbox's network
 * (pasta) it must not: the server's answer to the result would then sit unacknowledged while the
 * next event waits behind it for the client's delayed ACK (40 ms), so Jeff passes --no-pipeline.
 */
const pipelined = !process.argv.includes("--no-pipeline");

const httpTransport: Transport = {
  first: async () => fromResponse(await call("GET", "/invocation/next")),
  async finish(requestId, outcome) {
    // Over HTTP the host waits for both markers, or for none when told there was no output.
    const streams = unsynced === 0 ? 0 : 3;
    writeSyncMarkers(requestId, streams);
    const synced = streams === 0 ? "Jeff-Output: none\r\n" : "";
    const posted = outcome.ok
      ? call("POST", `/invocation/${requestId}/response`, outcome.body, synced)
      : postError(`/invocation/${requestId}/error`, outcome.error, synced);
    if (!pipelined) {
      await posted;
      return fromResponse(await call("GET", "/invocation/next"));
    }
    // Asked for in the same write as the result, which the server answers first.
    const following = call("GET", "/invocation/next");
    following.catch(() => undefined);
    await posted;
    return fromResponse(await following);
  },
  async fail(requestId, error) {
    writeSyncMarkers(requestId);
    await postError(`/invocation/${requestId}/error`, error);
  },
  async initError(error) {
    writeSyncMarkers("init");
    await postError("/init/error", error);
  },
};

/** The framed channel on an inherited descriptor: one write and one wake-up each way. */
class ChannelTransport implements Transport {
  readonly #socket: Socket;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #head: { readonly fields: Record<string, unknown>; readonly bodyBytes: number } | undefined;
  #waiter: { readonly done: (next: Invocation) => void; readonly fail: (error: Error) => void } | undefined;
  #configured: ((variables: Record<string, string>) => void) | undefined;

  constructor(fd: number) {
    this.#socket = new Socket({ fd, readable: true, writable: true });
    this.#socket.on("data", (chunk: Buffer) => this.#read(chunk));
    this.#socket.on("error", () => undefined);
    this.#socket.on("close", () => this.#waiter?.fail(new Error("Jeff closed the runtime's channel")));
  }

  configuration(): Promise<Record<string, string>> {
    const configured = new Promise<Record<string, string>>((done, fail) => {
      this.#configured = done;
      this.#waiter = { done: () => fail(new Error("an event came before the configuration")), fail };
    });
    this.#send({ k: "standby" }, "");
    return configured;
  }

  first(): Promise<Invocation> {
    const next = this.#nextEvent();
    this.#send({ k: "next" }, "");
    return next;
  }

  finish(requestId: string, outcome: Outcome): Promise<Invocation> {
    const next = this.#nextEvent();
    this.#sendOutcome(requestId, outcome, true);
    return next;
  }

  fail(requestId: string, error: unknown): Promise<void> {
    return new Promise((flushed) => this.#sendOutcome(requestId, { ok: false, error }, false, flushed));
  }

  initError(error: unknown): Promise<void> {
    writeSyncMarkers("init");
    const body = toErrorBody(error);
    return new Promise((flushed) =>
      this.#send({ k: "init-error", t: body.errorType }, JSON.stringify(body), flushed),
    );
  }

  #sendOutcome(requestId: string, outcome: Outcome, thenNext: boolean, flushed?: () => void): void {
    // Markers only on the streams written to; the host waits for exactly those.
    const streams = unsynced;
    writeSyncMarkers(requestId, streams);
    const head: Record<string, unknown> = { k: outcome.ok ? "response" : "error", id: requestId, s: streams };
    if (thenNext) head.n = 1;
    if (outcome.ok) {
      this.#send(head, outcome.body, flushed);
      return;
    }
    const body = toErrorBody(outcome.error);
    head.t = body.errorType;
    this.#send(head, JSON.stringify(body), flushed);
  }

  #nextEvent(): Promise<Invocation> {
    return new Promise((done, fail) => {
      this.#waiter = { done, fail };
    });
  }

  /** One frame in one write; `flushed` is called once it is handed to the kernel (or failed). */
  #send(head: object, body: string, flushed?: () => void): void {
    const headText = JSON.stringify(head);
    const headBytes = Buffer.byteLength(headText);
    const bodyBytes = Buffer.byteLength(body);
    const frame = Buffer.allocUnsafe(8 + headBytes + bodyBytes);
    frame.writeUInt32LE(headBytes, 0);
    frame.writeUInt32LE(bodyBytes, 4);
    frame.write(headText, 8, "utf8");
    frame.write(body, 8 + headBytes, "utf8");
    this.#socket.write(frame, flushed && (() => flushed()));
  }

  #read(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    for (;;) {
      if (!this.#head) {
        if (this.#buffered < 8) return;
        const prefix = this.#take(8);
        const headBytes = prefix.readUInt32LE(0);
        const bodyBytes = prefix.readUInt32LE(4);
        // The lengths are read before the head is: put them back until the head is all here.
        if (this.#buffered < headBytes) {
          this.#chunks.unshift(prefix);
          this.#buffered += 8;
          return;
        }
        const fields = JSON.parse(this.#take(headBytes).toString("utf8")) as Record<string, unknown>;
        this.#head = { fields, bodyBytes };
      }
      if (this.#buffered < this.#head.bodyBytes) return;
      const { fields, bodyBytes } = this.#head;
      this.#head = undefined;
      const body = this.#take(bodyBytes);
      if (fields.k === "config") {
        const configured = this.#configured;
        this.#configured = undefined;
        this.#waiter = undefined;
        configured?.(JSON.parse(body.toString("utf8")) as Record<string, string>);
        continue;
      }
      const waiter = this.#waiter;
      this.#waiter = undefined;
      const text = (value: unknown) => (typeof value === "string" ? value : undefined);
      waiter?.done({
        requestId: text(fields.id) ?? "",
        deadlineMs: Number(fields.d ?? Date.now()),
        invokedFunctionArn: text(fields.a) ?? "",
        traceId: text(fields.x),
        clientContext: text(fields.c),
        identity: undefined,
        body,
      });
    }
  }

  /** Consumes the first `n` bytes read, joining chunks once. */
  #take(n: number): Buffer {
    this.#buffered -= n;
    const first = this.#chunks[0];
    if (first && first.length >= n) {
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const joined = Buffer.concat(this.#chunks);
    this.#chunks = joined.length > n ? [joined.subarray(n)] : [];
    return joined.subarray(0, n);
  }
}

const channelFd = /^--channel-fd=(\d+)$/.exec(
  process.argv.find((arg) => arg.startsWith("--channel-fd=")) ?? "",
);
/**
 * Whether `fd` is still the channel's socket: an `AWS_LAMBDA_EXEC_WRAPPER` may have closed it (or
 * reused the number) before starting this runtime, which then speaks HTTP, as on Lambda.
 */
function isSocketFd(fd: number): boolean {
  try {
    return fs.fstatSync(fd).isSocket();
  } catch {
    return false;
  }
}

const transport: Transport =
  channelFd?.[1] && isSocketFd(Number(channelFd[1]))
    ? new ChannelTransport(Number(channelFd[1]))
    : httpTransport;

function call(method: string, path: string, body?: string, headers = ""): Promise<ApiResponse> {
  return connection.call(method, path, body, headers);
}

function postError(path: string, error: unknown, headers = "") {
  const body = toErrorBody(error);
  // A header value cannot hold a line break; the body carries the full type.
  const errorType = body.errorType.replace(/[^\t\x20-\x7e]/g, "?");
  return call(
    "POST",
    path,
    JSON.stringify(body),
    `${headers}Lambda-Runtime-Function-Error-Type: ${errorType}\r\n`,
  );
}

// ----- errors -----

class RuntimeError extends Error {
  constructor(name: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = `Runtime.${name}`;
  }
}

function toErrorBody(error: unknown): ErrorBody {
  try {
    if (types.isNativeError(error) || isErrorLike(error)) {
      const err = error as Error;
      return { errorType: err.name, errorMessage: err.message, trace: String(err.stack ?? "").split("\n") };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: "handled",
      errorMessage: "the error's name, message or stack could not be read",
      trace: [],
    };
  }
}

function isErrorLike(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.name === "string" && typeof v.message === "string" && typeof v.stack === "string";
}

// ----- console: Lambda's text log format, "<time>\t<request id>\t<LEVEL>\t<message>" -----

let currentRequestId: string | undefined;
/** The request whose result has not been posted yet. */
let inFlight: string | undefined;

function patchConsole(): void {
  const levels = [
    ["log", "INFO", 1],
    ["info", "INFO", 1],
    ["debug", "DEBUG", 1],
    ["trace", "TRACE", 1],
    ["warn", "WARN", 2],
    ["error", "ERROR", 2],
  ] as const;
  for (const [method, level, fd] of levels) {
    const stream = fd === 1 ? process.stdout : process.stderr;
    console[method] = (...args: unknown[]) => {
      stream.write(
        oneRecord(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${format(...args)}`),
      );
    };
  }
}

/**
 * One console call is one log event on Lambda, however many lines it prints (an object, a stack):
 * its inner newlines are marked as process-output.ts describes, so Jeff's log group keeps it whole.
 */
function oneRecord(text: string): string {
  return `${text.replaceAll("\n", "\u0000\n")}\n`;
}

function logError(prefix: string, error: unknown): void {
  const body = toErrorBody(error);
  const record = { errorType: body.errorType, errorMessage: body.errorMessage, stack: body.trace };
  process.stderr.write(
    `${new Date().toISOString()}\t${currentRequestId}\tERROR\t${prefix} \t${JSON.stringify(record)}\n`,
  );
}

// ----- loading the handler (Lambda's rules: `dir/module.path.to.fn`) -----

function hasTypeModule(folder: string): boolean {
  // Only inside the task root: a package.json above the code must not change how it loads.
  for (let dir = folder; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, "utf8")) as { type?: unknown }).type === "module";
      } catch {
        return false;
      }
    }
    if (dir === taskRoot || !dir.startsWith(taskRoot + sep) || dir.endsWith(`${sep}node_modules`))
      return false;
  }
}

const isFile = (path: string) => existsSync(path) && statSync(path).isFile();

async function loadModule(base: string, moduleName: string): Promise<unknown> {
  const requireFrom = createRequire(join(taskRoot, "index.js"));
  if (isFile(base)) return requireFrom(base);
  const typeModule = hasTypeModule(dirname(base));
  if (isFile(`${base}.js`)) {
    return typeModule ? import(pathToFileURL(`${base}.js`).href) : requireFrom(`${base}.js`);
  }
  if (isFile(`${base}.mjs`)) return import(pathToFileURL(`${base}.mjs`).href);
  if (isFile(`${base}.cjs`)) return requireFrom(`${base}.cjs`);
  // Lambda falls back to Node's own resolution (a package in node_modules).
  return requireFrom(requireFrom.resolve(moduleName, { paths: [taskRoot, dirname(base)] }));
}

async function loadHandler(fullHandler: string): Promise<Handler> {
  if (fullHandler.includes("..")) {
    throw new RuntimeError(
      "MalformedHandlerName",
      `'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const slash = fullHandler.lastIndexOf("/");
  const moduleRoot = fullHandler.slice(0, slash + 1);
  const match = /^([^.]*)\.(.*)$/.exec(fullHandler.slice(slash + 1));
  if (!match?.[1] || !match[2]) throw new RuntimeError("MalformedHandlerName", "Bad handler");
  const [, moduleName, handlerPath] = match;
  let loaded: unknown;
  try {
    loaded = await loadModule(resolve(taskRoot, moduleRoot, moduleName), moduleName);
  } catch (error) {
    if (error instanceof SyntaxError) throw new RuntimeError("UserCodeSyntaxError", String(error), error);
    const code = (error as { code?: unknown } | null)?.code;
    if (code === "MODULE_NOT_FOUND" || code === "ERR_MODULE_NOT_FOUND") {
      throw new RuntimeError("ImportModuleError", String(error), error);
    }
    throw error;
  }
  const handler = handlerPath
    .split(".")
    .reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], loaded);
  if (!handler) throw new RuntimeError("HandlerNotFound", `${fullHandler} is undefined or not exported`);
  if (typeof handler !== "function")
    throw new RuntimeError("HandlerNotFound", `${fullHandler} is not a function`);
  return handler as Handler;
}

// ----- one invocation -----

function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // The Invoke API takes X-Amz-Client-Context as base64-encoded JSON.
    try {
      return JSON.parse(Buffer.from(text, "base64").toString("utf8"));
    } catch {
      return undefined;
    }
  }
}

function runHandler(
  handler: Handler,
  event: unknown,
  context: Omit<LambdaContext, "done" | "succeed" | "fail">,
) {
  return new Promise<unknown>((succeed, fail) => {
    const callback: Callback = (error, result) => (error == null ? succeed(result) : fail(error));
    const full: LambdaContext = {
      ...context,
      getRemainingTimeInMillis: context.getRemainingTimeInMillis,
      done: callback,
      succeed: (result) => succeed(result),
      fail: (error) => fail(error ?? new Error("handled")),
    };
    const returned = handler(event, full, callback);
    if (returned !== null && typeof (returned as PromiseLike<unknown>)?.then === "function") {
      (returned as PromiseLike<unknown>).then(succeed, fail);
    } else if (returned !== undefined || handler.length < 3) {
      succeed(returned);
    }
  });
}

/** Runs one event and sends its result; resolves with the next event. */
async function invokeOnce(handler: Handler, next: Invocation): Promise<Invocation> {
  const requestId = next.requestId;
  const deadline = next.deadlineMs;
  if (next.traceId) env._X_AMZN_TRACE_ID = next.traceId;
  else delete env._X_AMZN_TRACE_ID;
  currentRequestId = requestId;
  inFlight = requestId;
  const context = {
    awsRequestId: requestId,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME ?? "",
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION ?? "",
    invokedFunctionArn: next.invokedFunctionArn,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? "",
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME ?? "",
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME ?? "",
    clientContext: parseJson(next.clientContext),
    identity: parseJson(next.identity),
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  let outcome: Outcome;
  try {
    const event = JSON.parse(next.body.toString("utf8") || "null") as unknown;
    const result = await runHandler(handler, event, context);
    outcome = { ok: true, body: JSON.stringify(result === undefined ? null : result) ?? "null" };
  } catch (error) {
    outcome = { ok: false, error };
    logError("Invoke Error", error);
  }
  inFlight = undefined;
  return transport.finish(requestId, outcome);
}

/**
 * A pooled runtime's environment becomes the function's: what is not among `variables` goes, the
 * rest is set, so the handler, its child processes and the AWS SDK see what they would have seen
 * had the process started with them.
 */
function takeConfiguration(variables: Record<string, string>): void {
  // A variable the slot started with keeps its place (they come first in the same order either
  // way) and is not set again when unchanged: setting TZ, even to its value, makes Node reload
  // its time zone data, which costs more than the rest of a small function's init.
  for (const name of Object.keys(env)) if (!Object.hasOwn(variables, name)) delete env[name];
  for (const [name, value] of Object.entries(variables))
    if (typeof value === "string" && env[name] !== value) env[name] = value;
}

async function main(): Promise<void> {
  trackWrites(process.stdout, 1);
  trackWrites(process.stderr, 2);
  trackDescriptorWrites();
  patchConsole();
  const pooled = process.argv.indexOf("--await-config");
  if (pooled >= 0) {
    if (!transport.configuration) throw new Error("a pooled runtime needs its channel for its configuration");
    // The function sees the command line an unpooled runtime has.
    process.argv.splice(pooled, 1);
    takeConfiguration(await transport.configuration());
  }
  let handler: Handler;
  try {
    handler = await loadHandler(env._HANDLER ?? "");
  } catch (error) {
    logError("Uncaught Exception", error);
    await transport.initError(error);
    process.exit(129);
  }
  let next = await transport.first();
  for (;;) next = await invokeOnce(handler, next);
}

/** An error outside the handler's promise fails the invocation in flight, then ends the process, as on Lambda. */
async function die(prefix: string, error: unknown, exitCode: number): Promise<never> {
  logError(prefix, error);
  const requestId = inFlight;
  if (requestId !== undefined) {
    await transport.fail(requestId, error).catch(() => undefined);
  }
  process.exit(exitCode);
}

process.on("uncaughtException", (error) => void die("Uncaught Exception", error, 129));
process.on("unhandledRejection", (reason) => {
  const error = new RuntimeError("UnhandledPromiseRejection", String(reason), reason);
  void die("Unhandled Promise Rejection", error, 128);
});

await main();
