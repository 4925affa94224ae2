/**
 * Jeff's Node runtime client: the program an execution environment runs for `nodejs*` functions.
 * It loads the handler named by `_HANDLER` from `LAMBDA_TASK_ROOT`, then loops on the Lambda
 * Runtime API (2018-06-01) exactly as AWS's runtime interface client does: `/next`, the handler,
 * `/response` or `/error`; a failed load goes to `/runtime/init/error`.
 *
 * Invariant: this file imports nothing but `node:` modules — it runs inside the function's
 * sandbox, which may read only the function's code and this folder.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { Agent, request } from "node:http";
import { createRequire } from "node:module";
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

const env = process.env;
const runtimeApi = `http://${env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime`;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const taskRoot = resolve(env.LAMBDA_TASK_ROOT ?? process.cwd());

// ----- Runtime API client -----

interface ApiResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

function call(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  return new Promise<ApiResponse>((done, fail) => {
    const req = request(`${runtimeApi}${path}`, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on("error", fail);
    });
    req.on("error", fail);
    if (body !== undefined) req.setHeader("Content-Type", "application/json");
    req.end(body);
  });
}

function postError(path: string, error: unknown) {
  const body = toErrorBody(error);
  return call("POST", path, JSON.stringify(body), { "Lambda-Runtime-Function-Error-Type": body.errorType });
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
      stream.write(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${format(...args)}\n`);
    };
  }
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

function header(res: ApiResponse, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

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

async function invokeOnce(handler: Handler, next: ApiResponse): Promise<void> {
  const requestId = header(next, "lambda-runtime-aws-request-id") ?? "";
  const deadline = Number(header(next, "lambda-runtime-deadline-ms") ?? Date.now());
  const traceId = header(next, "lambda-runtime-trace-id");
  if (traceId) env._X_AMZN_TRACE_ID = traceId;
  else delete env._X_AMZN_TRACE_ID;
  currentRequestId = requestId;
  inFlight = requestId;
  const context = {
    awsRequestId: requestId,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME ?? "",
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION ?? "",
    invokedFunctionArn: header(next, "lambda-runtime-invoked-function-arn") ?? "",
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? "",
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME ?? "",
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME ?? "",
    clientContext: parseJson(header(next, "lambda-runtime-client-context")),
    identity: parseJson(header(next, "lambda-runtime-cognito-identity")),
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  let outcome: { ok: true; body: string } | { ok: false; error: unknown };
  try {
    const event = JSON.parse(next.body.toString("utf8") || "null") as unknown;
    const result = await runHandler(handler, event, context);
    outcome = { ok: true, body: JSON.stringify(result === undefined ? null : result) ?? "null" };
  } catch (error) {
    outcome = { ok: false, error };
    logError("Invoke Error", error);
  }
  inFlight = undefined;
  process.stdout.write(syncMarker(requestId));
  process.stderr.write(syncMarker(requestId));
  if (outcome.ok) await call("POST", `/invocation/${requestId}/response`, outcome.body);
  else await postError(`/invocation/${requestId}/error`, outcome.error);
}

async function main(): Promise<void> {
  patchConsole();
  let handler: Handler;
  try {
    handler = await loadHandler(env._HANDLER ?? "");
  } catch (error) {
    logError("Uncaught Exception", error);
    process.stdout.write(syncMarker("init"));
    process.stderr.write(syncMarker("init"));
    await postError("/init/error", error);
    process.exit(129);
  }
  for (;;) {
    const next = await call("GET", "/invocation/next");
    if (next.status !== 200) throw new Error(`Runtime API /next answered ${next.status}`);
    await invokeOnce(handler, next);
  }
}

/** An error outside the handler's promise fails the invocation in flight, then ends the process, as on Lambda. */
async function die(prefix: string, error: unknown, exitCode: number): Promise<never> {
  logError(prefix, error);
  const requestId = inFlight;
  if (requestId !== undefined) {
    process.stdout.write(syncMarker(requestId));
    process.stderr.write(syncMarker(requestId));
    await postError(`/invocation/${requestId}/error`, error).catch(() => undefined);
  }
  process.exit(exitCode);
}

process.on("uncaughtException", (error) => void die("Uncaught Exception", error, 129));
process.on("unhandledRejection", (reason) => {
  const error = new RuntimeError("UnhandledPromiseRejection", String(reason), reason);
  void die("Unhandled Promise Rejection", error, 128);
});

await main();
