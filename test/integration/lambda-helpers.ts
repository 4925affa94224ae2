// What the Lambda integration tests share: an SDK client for a running Jeff, Node functions from
// source, waiting for a condition, and catching the error a call should fail with.
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
