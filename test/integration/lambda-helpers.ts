// What the Lambda integration tests share: an SDK client for a running Jeff, Node functions from
// source, a collector functions report to, waiting for a condition, and catching the error a call
// should fail with.
import { createServer } from "node:http";
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
  return lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: `arn:aws:iam::${accountId}:role/lambda-role`,
      Code: { ZipFile: zipSync({ "index.mjs": text(source) }) },
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

/** Polls `check` every 100 ms until it holds, or fails with `why` after `ms`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  why: string | (() => string),
  ms = 60_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(typeof why === "string" ? `timed out waiting for ${why}` : why());
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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
