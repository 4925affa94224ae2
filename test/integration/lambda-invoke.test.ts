// Invoking functions through the real SDK and /usr/bin/aws: results, function errors, log tails.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  CreateFunctionCommand,
  InvokeCommand,
  LambdaClient,
  UpdateFunctionCodeCommand,
} from "@aws-sdk/client-lambda";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aws, type JeffProcess, startJeff } from "./jeff-process.js";

let jeff: JeffProcess;
let lambda: LambdaClient;

const text = (s: string) => new TextEncoder().encode(s);
const decode = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

async function createFunction(name: string, source: string) {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: `arn:aws:iam::${jeff.accountId}:role/lambda-role`,
      Code: { ZipFile: zipSync({ "index.mjs": text(source) }) },
    }),
  );
}

beforeAll(async () => {
  jeff = await startJeff();
  lambda = new LambdaClient({
    endpoint: jeff.url,
    region: jeff.region,
    credentials: jeff.credentials,
    maxAttempts: 1,
  });
  await createFunction(
    "echo",
    `export const handler = async (event, context) => {
  console.log("hello from the log");
  return { event, functionName: context.functionName, requestId: context.awsRequestId };
};`,
  );
  await createFunction("thrower", `export const handler = async () => { throw new TypeError("no good"); };`);
});
afterAll(async () => {
  await jeff?.stop();
});

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode: number } };
  }
  throw new Error("expected the call to fail");
}

describe("Invoke through the SDK", () => {
  it("returns the handler's result, with the log tail on request", async () => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: "echo", Payload: text('{"n":1}'), LogType: "Tail" }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe("$LATEST");
    const result = JSON.parse(decode(out.Payload)) as {
      event: unknown;
      functionName: string;
      requestId: string;
    };
    expect(result).toMatchObject({ event: { n: 1 }, functionName: "echo" });
    const log = Buffer.from(out.LogResult ?? "", "base64").toString("utf8");
    expect(log).toContain(`START RequestId: ${result.requestId}`);
    expect(log).toContain("hello from the log");
    expect(log).toContain(`REPORT RequestId: ${result.requestId}`);
  });

  it("reports a thrown error as Lambda does: 200, X-Amz-Function-Error and the error object", async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: "thrower" }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe("Unhandled");
    expect(JSON.parse(decode(out.Payload))).toMatchObject({
      errorType: "TypeError",
      errorMessage: "no good",
    });
  });

  it("runs the new code after UpdateFunctionCode", async () => {
    await lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: "thrower",
        ZipFile: zipSync({ "index.mjs": text(`export const handler = async () => "fixed";`) }),
      }),
    );
    const out = await lambda.send(new InvokeCommand({ FunctionName: "thrower" }));
    expect(out.FunctionError).toBeUndefined();
    expect(JSON.parse(decode(out.Payload))).toBe("fixed");
  });

  it("refuses what Lambda refuses, without running anything", async () => {
    const notJson = await failure(
      lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: text("{not json") })),
    );
    expect(notJson.name).toBe("InvalidRequestContentException");
    const missing = await failure(lambda.send(new InvokeCommand({ FunctionName: "nope" })));
    expect(missing.name).toBe("ResourceNotFoundException");
    const tooBig = await failure(
      lambda.send(
        new InvokeCommand({ FunctionName: "echo", Payload: text(`"${"x".repeat(6 * 1024 * 1024)}"`) }),
      ),
    );
    expect(tooBig.name).toBe("RequestEntityTooLargeException");
    const dry = await lambda.send(new InvokeCommand({ FunctionName: "echo", InvocationType: "DryRun" }));
    expect(dry.StatusCode).toBe(204);
  });
});

describe("Invoke through /usr/bin/aws", () => {
  it("writes the result to the outfile and prints the log tail", async () => {
    const outFile = join(jeff.dataDir, "out.json");
    const result = await aws(
      [
        "lambda",
        "invoke",
        "--function-name",
        "echo",
        "--payload",
        '{"from":"cli"}',
        "--cli-binary-format",
        "raw-in-base64-out",
        "--log-type",
        "Tail",
        "--output",
        "json",
        outFile,
      ],
      jeff.awsEnv(),
    );
    expect(result.stderr).toBe("");
    const meta = JSON.parse(result.stdout) as { StatusCode: number; LogResult: string };
    expect(meta.StatusCode).toBe(200);
    expect(Buffer.from(meta.LogResult, "base64").toString()).toContain("hello from the log");
    expect(JSON.parse(await readFile(outFile, "utf8"))).toMatchObject({ event: { from: "cli" } });
  });
});
