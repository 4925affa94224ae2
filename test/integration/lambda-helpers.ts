// What the Lambda integration tests share: an SDK client for a running Jeff, Node functions from
// source, a collector functions report to, a barrier that holds invocations until the test lets
// them go, and catching the error a call should fail with.
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CreateFunctionCommand,
  type CreateFunctionCommandInput,
  LambdaClient,
  type LambdaClientConfig,
} from "@aws-sdk/client-lambda";
import { zipSync } from "fflate";
import type { JeffProcess } from "./jeff-process.js";

export const text = (s: string) => new TextEncoder().encode(s);
export const decode = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

export function lambdaClientFor(
  jeff: Pick<JeffProcess, "url" | "region" | "credentials">,
  config: Partial<LambdaClientConfig> = {},
): LambdaClient {
  return new LambdaClient({
    endpoint: jeff.url,
    region: jeff.region,
    credentials: jeff.credentials,
    maxAttempts: 1,
    ...config,
  });
}

/** A `nodejs20.x` function whose `index.mjs` is `source`, handler `index.handler`. */
export function createNodeFunction(
  lambda: LambdaClient,
  accountId: string,
  name: string,
  source: string,
  extra: Partial<CreateFunctionCommandInput> = {},
) {
  return createFunctionOf(lambda, accountId, name, "nodejs20.x", "index.mjs", source, extra);
}

/** A `python3.12` function whose `app.py` is `source`, handler `app.handler`. */
export function createPythonFunction(
  lambda: LambdaClient,
  accountId: string,
  name: string,
  source: string,
  extra: Partial<CreateFunctionCommandInput> = {},
) {
  return createFunctionOf(lambda, accountId, name, "python3.12", "app.py", source, extra);
}

function createFunctionOf(
  lambda: LambdaClient,
  accountId: string,
  name: string,
  runtime: "nodejs20.x" | "python3.12",
  file: string,
  source: string,
  extra: Partial<CreateFunctionCommandInput>,
) {
  return lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: runtime,
      Handler: `${file.slice(0, file.indexOf("."))}.handler`,
      Role: `arn:aws:iam::${accountId}:role/lambda-role`,
      Code: { ZipFile: zipSync({ [file]: text(source) }) },
      ...extra,
    }),
  );
}

export type CallError = Error & { Reason?: string; $metadata: { httpStatusCode: number } };

/** The error `promise` rejects with; a call that succeeds fails the test. */
export async function failure(promise: Promise<unknown>): Promise<CallError> {
  try {
    await promise;
  } catch (error) {
    return error as CallError;
  }
  throw new Error("expected the call to fail");
}

/**
 * An HTTP server on loopback that keeps every JSON body posted to it: the test's window into what
 * functions ran and what reached them. Give functions `url` (as a `COLLECTOR` variable, say).
 */
export async function startCollector<T = unknown>() {
  const reports: T[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      reports.push(JSON.parse(body) as T);
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    /** For startJeff: the sandbox lets functions reach the collector, and nothing else on loopback. */
    jeffEnv: { JEFF_FUNCTION_LOOPBACK_PORTS: String(port) },
    reports,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A function's code that calls `event.barrier` and returns its environment's id once the barrier
 * lets it go (an id of its own: in the sandbox every environment's runtime has the same pid).
 * Invocations of it are all running at once when the barrier has seen as many arrive.
 */
export const barrierHandler = `const environment = crypto.randomUUID();
export const handler = async (event) => {
  await (await fetch(event.barrier, { method: "POST", body: environment })).text();
  return { environment };
};`;

/** The pids of a process's children (Linux): Jeff's children are its sandboxes and their pastas. */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  for (const task of tasks) {
    try {
      const listed = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
      if (listed) children.push(...listed.split(/\s+/).map(Number));
    } catch {
      // The thread ended.
    }
  }
  return children;
}

/**
 * A free port on loopback, for a test server that starts after Jeff: Jeff is started with it in
 * JEFF_FUNCTION_LOOPBACK_PORTS so that sandboxed functions may reach it.
 */
export async function freeLoopbackPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", () => resolve()));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * An HTTP server on loopback that holds every request until `release()`. Functions that call it
 * (`barrierHandler`) wait there, so "N invocations running at once" is a count to wait for, not a
 * sleep to hope is long enough.
 */
export async function startBarrier(port = 0) {
  const held: ServerResponse[] = [];
  const arrivals: string[] = [];
  let released = false;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      arrivals.push(body);
      if (released) res.end("go");
      else held.push(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
  const release = () => {
    released = true;
    for (const res of held.splice(0)) res.end("go");
  };
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    /** How many calls have reached the barrier (each body is the caller's environment id). */
    arrivals,
    release,
    close: () => {
      release();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A `provided` bootstrap in shell that loops on the Runtime API with curl, running each event (a
 * JSON string) as a shell script and answering its output.
 */
export const shellBootstrap = `#!/bin/sh
while true; do
  HEADERS=$(mktemp)
  EVENT=$(curl -sS -LD "$HEADERS" "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next")
  REQUEST=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  SCRIPT=$(printf '%s' "$EVENT" | python3 -c 'import json,sys; print(json.load(sys.stdin))')
  OUT=$(sh -c "$SCRIPT" 2>&1 | head -c 20000 | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read()))')
  curl -sS -X POST "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$REQUEST/response" -d "$OUT" >/dev/null
done
`;

/** Whether the Jeff at `url` runs functions in the sandbox (its health says which isolation). */
export async function isSandboxed(jeff: { readonly url: string }): Promise<boolean> {
  const health = (await (await fetch(`${jeff.url}/_jeff/health`)).json()) as { isolation?: string };
  return health.isolation === "sandbox";
}
