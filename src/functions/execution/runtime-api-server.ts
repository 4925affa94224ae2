/**
 * The Lambda Runtime API (2018-06-01) for one execution environment, served on loopback.
 * The runtime long-polls `/runtime/invocation/next`, then posts `/response` or `/error` for that
 * request id; a runtime that cannot start posts `/runtime/init/error`. Routes, headers, status
 * codes and the 6 MiB + 100 B payload limit follow AWS's runtime interface emulator.
 *
 * Invariant: one invocation at a time — an id other than the one in flight is refused.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { FrameReader, frameParts, type RuntimeFrame } from "./runtime-channel.js";

/** What `/next` hands the runtime. */
export interface RuntimeInvocation {
  readonly requestId: string;
  readonly payload: Buffer;
  readonly deadlineMs: number;
  readonly invokedFunctionArn: string;
  readonly traceId?: string | undefined;
  readonly clientContext?: string | undefined;
}

export type RuntimeOutcome = (
  | { readonly kind: "response"; readonly requestId: string; readonly payload: Buffer }
  | {
      readonly kind: "error";
      readonly requestId: string;
      readonly payload: Buffer;
      readonly errorType: string | undefined;
    }
  /** The runtime posted more than the limit; Lambda fails the invocation. */
  | { readonly kind: "too-large"; readonly requestId: string }
) & {
  /**
   * The streams that carry a sync marker for this request (see runtimes/process-output.ts);
   * both when absent. Jeff's own runtime clients mark only the streams written since the last
   * markers: none at all (`Jeff-Output: none` over HTTP) when the invocation wrote nothing.
   */
  readonly markedStreams?: readonly ("stdout" | "stderr")[];
};

/** Whoever waits for the next event: a `/next` long poll, or the channel. */
interface Waiter {
  readonly gone: boolean;
  send(invocation: RuntimeInvocation): void;
}

export interface RuntimeApiListener {
  /** The runtime is waiting on `/next` with nothing to hand it: initialised, or done with the last event. */
  waiting(): void;
  outcome(outcome: RuntimeOutcome): void;
  initError(payload: Buffer, errorType: string | undefined): void;
  /**
   * A pooled runtime is up and waits for its configuration (`{ k: "standby" }` on the channel).
   * It only ever says so of itself: nothing is taken from it.
   */
  standby?(): void;
}

export interface RuntimeApiServerOptions {
  /**
   * A secret path segment in front of `/2018-06-01`, so another function on this host cannot
   * take or answer this environment's invocations. Only for runtimes that join
   * `AWS_LAMBDA_RUNTIME_API` and the path as a string (Jeff's own clients, curl, aws-lambda-go).
   */
  readonly pathPrefix?: string;
  readonly maxPayloadBytes?: number;
}

/** AWS's limit for a response posted by a runtime (`interop.MaxPayloadSize`). */
export const maxRuntimePayloadBytes = 6 * 1024 * 1024 + 100;

const base = "/2018-06-01/runtime";

/** What a runtime may name as an error's type on the channel. */
const errorTypePattern = /^[\w.:$-]{1,128}$/;

export class RuntimeApiServer {
  readonly #server: Server;
  readonly #listener: RuntimeApiListener;
  readonly #prefix: string;
  readonly #maxPayload: number;
  /** The event delivered but not yet answered. */
  #inFlight: RuntimeInvocation | undefined;
  /** Delivered before the runtime asked for it. */
  #queued: RuntimeInvocation | undefined;
  #waiting: Waiter | undefined;
  #channel: Socket | undefined;

  private constructor(listener: RuntimeApiListener, options: RuntimeApiServerOptions) {
    this.#listener = listener;
    this.#prefix = options.pathPrefix ? `/${options.pathPrefix}` : "";
    this.#maxPayload = options.maxPayloadBytes ?? maxRuntimePayloadBytes;
    this.#server = createServer((req, res) => this.#route(req, res));
    // `/next` is a long poll that may wait for hours between events.
    this.#server.requestTimeout = 0;
    this.#server.headersTimeout = 0;
    this.#server.keepAliveTimeout = 0;
    this.#server.timeout = 0;
  }

  static async start(listener: RuntimeApiListener, options: RuntimeApiServerOptions = {}) {
    const api = new RuntimeApiServer(listener, options);
    await new Promise<void>((resolve, reject) => {
      api.#server.once("error", reject);
      api.#server.listen(0, "127.0.0.1", () => resolve());
    });
    return api;
  }

  /** The loopback port it listens on. */
  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** The value for `AWS_LAMBDA_RUNTIME_API`. */
  get address(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `127.0.0.1:${port}${this.#prefix}`;
  }

  /** Hands an event to the runtime: now if it is waiting on `/next`, else when it next asks. */
  deliver(invocation: RuntimeInvocation): void {
    if (this.#inFlight || this.#queued) throw new Error("an invocation is already in flight");
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting && !waiting.gone) this.#hand(waiting, invocation);
    else this.#queued = invocation;
  }

  /**
   * Serves the runtime on the framed channel `socket` (runtime-channel.ts) too: the same
   * invocations, the same rules, one frame each way. A frame that breaks the framing closes the
   * channel and calls `broken`, which ends the environment.
   */
  attachChannel(socket: Socket, broken: () => void): void {
    this.#channel = socket;
    const reader = new FrameReader(this.#maxPayload);
    const waiter: Waiter = {
      get gone() {
        return socket.destroyed;
      },
      send: (invocation) => {
        const head: Record<string, unknown> = {
          id: invocation.requestId,
          d: invocation.deadlineMs,
          a: invocation.invokedFunctionArn,
        };
        if (invocation.traceId) head.x = invocation.traceId;
        if (invocation.clientContext) head.c = invocation.clientContext;
        const [start, body] = frameParts(head, invocation.payload);
        // One writev for both parts.
        socket.cork();
        socket.write(start);
        if (body.length > 0) socket.write(body);
        socket.uncork();
      },
    };
    socket.on("data", (chunk: Buffer) => {
      let frames: RuntimeFrame[];
      try {
        frames = reader.push(chunk);
      } catch {
        socket.destroy();
        broken();
        return;
      }
      for (const frame of frames) this.#channelFrame(frame, waiter);
    });
    socket.on("error", () => undefined);
    socket.on("close", () => {
      if (this.#waiting === waiter) this.#waiting = undefined;
    });
  }

  /**
   * Sends a pooled runtime its configuration, the first frame it reads (`{ k: "config" }`, the
   * variables as a JSON object in the body): what an unpooled runtime finds in its environment.
   */
  configure(variables: Readonly<Record<string, string>>): void {
    const socket = this.#channel;
    if (!socket) throw new Error("a pooled runtime is configured over its channel, and it has none");
    const [start, body] = frameParts({ k: "config" }, Buffer.from(JSON.stringify(variables)));
    socket.cork();
    socket.write(start);
    socket.write(body);
    socket.uncork();
  }

  async close(): Promise<void> {
    this.#waiting = undefined;
    this.#channel?.destroy();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  #hand(waiter: Waiter, invocation: RuntimeInvocation): void {
    this.#inFlight = invocation;
    waiter.send(invocation);
  }

  #channelFrame(frame: RuntimeFrame, waiter: Waiter): void {
    const { head, body } = frame;
    // An error type is a name (`Runtime.ExitError`, `MyError`), written into report lines: any
    // other text, a line break among it, is not taken.
    const errorType = typeof head.t === "string" && errorTypePattern.test(head.t) ? head.t : undefined;
    switch (head.k) {
      case "next":
        this.#next(waiter);
        return;
      case "standby":
        this.#listener.standby?.();
        return;
      case "init-error":
        this.#listener.initError(body ?? Buffer.alloc(0), errorType);
        return;
      case "response":
      case "error": {
        const requestId = typeof head.id === "string" ? head.id : "";
        // An answer for another id is refused, as over HTTP: nothing is settled.
        if (this.#inFlight?.requestId !== requestId) return;
        const marks = typeof head.s === "number" ? head.s : 3;
        const markedStreams = (["stdout", "stderr"] as const).filter((_, i) => (marks & (1 << i)) !== 0);
        this.#settle(head.k, requestId, body, errorType, { markedStreams });
        if (head.n) this.#next(waiter);
        return;
      }
      default:
        return;
    }
  }

  #settle(
    kind: "response" | "error",
    requestId: string,
    body: Buffer | undefined,
    errorType: string | undefined,
    extra: Pick<RuntimeOutcome, "markedStreams">,
  ): void {
    this.#inFlight = undefined;
    if (body === undefined) this.#listener.outcome({ kind: "too-large", requestId, ...extra });
    else if (kind === "response") this.#listener.outcome({ kind, requestId, payload: body, ...extra });
    else this.#listener.outcome({ kind, requestId, payload: body, errorType, ...extra });
  }

  #sendEvent(res: ServerResponse, invocation: RuntimeInvocation): void {
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "Lambda-Runtime-Aws-Request-Id": invocation.requestId,
      "Lambda-Runtime-Deadline-Ms": String(invocation.deadlineMs),
      "Lambda-Runtime-Invoked-Function-Arn": invocation.invokedFunctionArn,
    };
    if (invocation.traceId) headers["Lambda-Runtime-Trace-Id"] = invocation.traceId;
    if (invocation.clientContext) headers["Lambda-Runtime-Client-Context"] = invocation.clientContext;
    // With the length known the body goes out unchunked, which is less to write and to parse.
    headers["Content-Length"] = String(invocation.payload.length);
    res.sendDate = false;
    res.writeHead(200, headers).end(invocation.payload);
  }

  #route(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? "";
    const path = url.startsWith(`${this.#prefix}${base}/`)
      ? url.slice(this.#prefix.length + base.length)
      : "";
    const answer = /^\/invocation\/([^/]+)\/(response|error)$/.exec(path);
    if (req.method === "GET" && path === "/invocation/next") {
      this.#httpNext(res);
    } else if (req.method === "POST" && path === "/init/error") {
      readBody(req, this.#maxPayload).then((body) => {
        reply(res, 202, undefined, "OK");
        this.#listener.initError(body ?? Buffer.alloc(0), errorTypeHeader(req));
      }, destroy(res));
    } else if (req.method === "POST" && answer?.[1] && answer[2]) {
      this.#answer(req, res, decodeURIComponent(answer[1]), answer[2] as "response" | "error");
    } else {
      req.resume();
      reply(res, 404, "UnknownPath", "unknown path");
    }
  }

  #next(waiter: Waiter): void {
    const queued = this.#queued;
    if (queued) {
      this.#queued = undefined;
      this.#hand(waiter, queued);
      return;
    }
    this.#waiting = waiter;
    this.#listener.waiting();
  }

  #httpNext(res: ServerResponse): void {
    const waiter: Waiter = {
      get gone() {
        return res.destroyed;
      },
      send: (invocation) => this.#sendEvent(res, invocation),
    };
    res.on("close", () => {
      if (this.#waiting === waiter) this.#waiting = undefined;
    });
    this.#next(waiter);
  }

  #answer(req: IncomingMessage, res: ServerResponse, requestId: string, kind: "response" | "error"): void {
    if (this.#inFlight?.requestId !== requestId) {
      req.resume();
      reply(res, 400, "InvalidRequestID", "Invalid request ID");
      return;
    }
    const errorType = errorTypeHeader(req);
    const quiet = req.headers["jeff-output"] === "none" ? { markedStreams: [] } : {};
    readBody(req, this.#maxPayload).then((body) => {
      if (this.#inFlight?.requestId !== requestId)
        return reply(res, 400, "InvalidRequestID", "Invalid request ID");
      if (body === undefined) {
        const message = `Exceeded maximum allowed payload size (${this.#maxPayload} bytes).`;
        reply(res, 413, "RequestEntityTooLarge", message);
      } else reply(res, 202, undefined, "OK");
      this.#settle(kind, requestId, body, errorType, quiet);
    }, destroy(res));
  }
}

function errorTypeHeader(req: IncomingMessage): string | undefined {
  const value = req.headers["lambda-runtime-function-error-type"];
  return Array.isArray(value) ? value[0] : value;
}

/** The body, or undefined when it is over `limit` (the rest is drained, not kept). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on("end", () => resolve(size <= limit ? Buffer.concat(chunks) : undefined));
    req.on("error", reject);
  });
}

function reply(res: ServerResponse, status: number, errorType: string | undefined, message: string): void {
  const body = errorType === undefined ? { status: message } : { errorMessage: message, errorType };
  const text = JSON.stringify(body);
  res.sendDate = false;
  res
    .writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) })
    .end(text);
}

const destroy = (res: ServerResponse) => () => res.destroy();
