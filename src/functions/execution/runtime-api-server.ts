/**
 * The Lambda Runtime API (2018-06-01) for one execution environment, served on loopback.
 * The runtime long-polls `/runtime/invocation/next`, then posts `/response` or `/error` for that
 * request id; a runtime that cannot start posts `/runtime/init/error`. Routes, headers, status
 * codes and the 6 MiB + 100 B payload limit follow AWS's runtime interface emulator.
 *
 * Invariant: one invocation at a time — an id other than the one in flight is refused.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What `/next` hands the runtime. */
export interface RuntimeInvocation {
  readonly requestId: string;
  readonly payload: Buffer;
  readonly deadlineMs: number;
  readonly invokedFunctionArn: string;
  readonly traceId?: string;
  readonly clientContext?: string;
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
   * Jeff's own runtime clients send `Jeff-Output: none` when the invocation wrote nothing since
   * the last sync markers, and then write no markers (see runtimes/process-output.ts).
   */
  readonly noOutput?: true;
};

export interface RuntimeApiListener {
  /** The runtime is waiting on `/next` with nothing to hand it: initialised, or done with the last event. */
  waiting(): void;
  outcome(outcome: RuntimeOutcome): void;
  initError(payload: Buffer, errorType: string | undefined): void;
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

export class RuntimeApiServer {
  readonly #server: Server;
  readonly #listener: RuntimeApiListener;
  readonly #prefix: string;
  readonly #maxPayload: number;
  /** The event delivered but not yet answered. */
  #inFlight: RuntimeInvocation | undefined;
  /** Delivered before the runtime asked for it. */
  #queued: RuntimeInvocation | undefined;
  #waiting: ServerResponse | undefined;

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
    if (waiting && !waiting.destroyed) this.#sendEvent(waiting, invocation);
    else this.#queued = invocation;
  }

  async close(): Promise<void> {
    this.#waiting = undefined;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  #sendEvent(res: ServerResponse, invocation: RuntimeInvocation): void {
    this.#inFlight = invocation;
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
      this.#next(res);
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

  #next(res: ServerResponse): void {
    const queued = this.#queued;
    if (queued) {
      this.#queued = undefined;
      this.#sendEvent(res, queued);
      return;
    }
    this.#waiting = res;
    res.on("close", () => {
      if (this.#waiting === res) this.#waiting = undefined;
    });
    this.#listener.waiting();
  }

  #answer(req: IncomingMessage, res: ServerResponse, requestId: string, kind: "response" | "error"): void {
    if (this.#inFlight?.requestId !== requestId) {
      req.resume();
      reply(res, 400, "InvalidRequestID", "Invalid request ID");
      return;
    }
    const errorType = errorTypeHeader(req);
    const quiet = req.headers["jeff-output"] === "none" ? ({ noOutput: true } as const) : {};
    readBody(req, this.#maxPayload).then((body) => {
      if (this.#inFlight?.requestId !== requestId)
        return reply(res, 400, "InvalidRequestID", "Invalid request ID");
      this.#inFlight = undefined;
      if (body === undefined) {
        const message = `Exceeded maximum allowed payload size (${this.#maxPayload} bytes).`;
        reply(res, 413, "RequestEntityTooLarge", message);
        return this.#listener.outcome({ kind: "too-large", requestId, ...quiet });
      }
      reply(res, 202, undefined, "OK");
      this.#listener.outcome(
        kind === "response"
          ? { kind, requestId, payload: body, ...quiet }
          : { kind, requestId, payload: body, errorType, ...quiet },
      );
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
