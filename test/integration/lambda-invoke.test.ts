// Invoking functions through the real SDK and /usr/bin/aws: results, function errors, log tails.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  CreateFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  InvokeCommand,
  LambdaClient,
  PutFunctionConcurrencyCommand,
  type Runtime,
  UpdateFunctionCodeCommand,
} from "@aws-sdk/client-lambda";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aws, type JeffProcess, runJeff, startJeff } from "./jeff-process.js";
import {
  barrierHandler,
  createNodeFunction,
  decode,
  freeLoopbackPort,
  lambdaClientFor,
  startBarrier,
  text,
} from "./lambda-helpers.js";
import { until } from "./until.js";

let jeff: JeffProcess;
let lambda: LambdaClient;
let barrierPort: number;

async function createFunction(name: string, source: string, timeout?: number) {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: `arn:aws:iam::${jeff.accountId}:role/lambda-role`,
      Code: { ZipFile: zipSync({ "index.mjs": text(source) }) },
      ...(timeout !== undefined ? { Timeout: timeout } : {}),
    }),
  );
}

/**
 * Barrier functions wait for each other's cold starts, which a busy machine can stretch past
 * Lambda's 3 s default: they get a minute.
 */
const barrierTimeout = 60;

beforeAll(async () => {
  barrierPort = await freeLoopbackPort();
  jeff = await startJeff({ env: { JEFF_FUNCTION_LOOPBACK_PORTS: String(barrierPort) } });
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
    // The call's request id is the invocation's, as Lambda's is.
    expect(out.$metadata.requestId).toBe(result.requestId);
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

  it("answers a response over 6 MB as Function.ResponseSizeTooLarge, and the environment takes the next one", async () => {
    const sources = {
      node: {
        runtime: "nodejs20.x",
        file: "index.mjs",
        source: `const environment = crypto.randomUUID();
export const handler = async (event) => (event.size ? "a".repeat(event.size) : { environment });`,
      },
      python: {
        runtime: "python3.12",
        file: "index.py",
        source: `import uuid
ENVIRONMENT = str(uuid.uuid4())
def handler(event, context):
    return "a" * event["size"] if event.get("size") else {"environment": ENVIRONMENT}
`,
      },
    };
    for (const [language, { runtime, file, source }] of Object.entries(sources)) {
      const name = `too-large-${language}`;
      await lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: runtime as Runtime,
          Handler: "index.handler",
          Role: `arn:aws:iam::${jeff.accountId}:role/lambda-role`,
          Code: { ZipFile: zipSync({ [file]: text(source) }) },
        }),
      );
      const before = JSON.parse(
        decode((await lambda.send(new InvokeCommand({ FunctionName: name }))).Payload),
      );
      const tooLarge = await lambda.send(
        new InvokeCommand({ FunctionName: name, Payload: text(JSON.stringify({ size: 7 * 1024 * 1024 })) }),
      );
      expect(tooLarge.FunctionError).toBe("Unhandled");
      expect(JSON.parse(decode(tooLarge.Payload))).toEqual({
        errorMessage: "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
        errorType: "Function.ResponseSizeTooLarge",
      });
      const after = JSON.parse(
        decode((await lambda.send(new InvokeCommand({ FunctionName: name }))).Payload),
      );
      expect(after, language).toEqual(before);
    }
  });

  it("refuses what Lambda refuses, without running anything", async () => {
    const notJson = await failure(
      lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: text("{not json") })),
    );
    expect(notJson.name).toBe("InvalidRequestContentException");
    // What the AWS CLI v2 sends for raw text it takes as base64, worded as Lambda's parser words it.
    const garbled = await failure(
      lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: Uint8Array.from([0x99, 0xeb, 0x2c]) })),
    );
    expect(garbled.message).toBe(
      "Could not parse request body into json: Could not parse payload into json: Unexpected character ((CTRL-CHAR, code 153)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1]",
    );
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

describe("concurrency", () => {
  it("refuses a call over a function's reserved concurrency with 429 and Lambda's reason", async () => {
    await createFunction("sleeper", barrierHandler, barrierTimeout);
    expect(
      (
        await lambda.send(
          new PutFunctionConcurrencyCommand({ FunctionName: "sleeper", ReservedConcurrentExecutions: 2 }),
        )
      ).ReservedConcurrentExecutions,
    ).toBe(2);
    expect(
      (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "sleeper" })))
        .ReservedConcurrentExecutions,
    ).toBe(2);
    expect(
      (await lambda.send(new GetFunctionCommand({ FunctionName: "sleeper" }))).Concurrency
        ?.ReservedConcurrentExecutions,
    ).toBe(2);

    // Two invocations hold the function's two slots at the barrier while a third is tried.
    const barrier = await startBarrier(barrierPort);
    try {
      const payload = text(JSON.stringify({ barrier: barrier.url }));
      const running = [1, 2].map(() =>
        lambda.send(new InvokeCommand({ FunctionName: "sleeper", Payload: payload })),
      );
      await until(() => barrier.arrivals.length === 2, "both invocations to be running");
      const refused = await failure(
        lambda.send(new InvokeCommand({ FunctionName: "sleeper", Payload: payload })),
      );
      expect(refused).toMatchObject({
        name: "TooManyRequestsException",
        Reason: "ReservedFunctionConcurrentInvocationLimitExceeded",
      });
      expect(refused.$metadata.httpStatusCode).toBe(429);
      barrier.release();
      expect((await Promise.all(running)).map((r) => r.FunctionError)).toEqual([undefined, undefined]);
      expect(barrier.arrivals).toHaveLength(2);
    } finally {
      await barrier.close();
    }

    const tooMuch = await failure(
      lambda.send(
        new PutFunctionConcurrencyCommand({ FunctionName: "sleeper", ReservedConcurrentExecutions: 950 }),
      ),
    );
    expect(tooMuch.name).toBe("InvalidParameterValueException");
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "sleeper" }));
    expect(
      (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "sleeper" })))
        .ReservedConcurrentExecutions,
    ).toBeUndefined();
  });

  it("runs concurrent invocations in parallel environments", async () => {
    await createFunction("napper", barrierHandler, barrierTimeout);
    const barrier = await startBarrier(barrierPort);
    try {
      const payload = text(JSON.stringify({ barrier: barrier.url }));
      const running = Array.from({ length: 6 }, () =>
        lambda.send(new InvokeCommand({ FunctionName: "napper", Payload: payload })),
      );
      // All six wait at the barrier at once, so each is in an environment of its own.
      await until(() => barrier.arrivals.length === 6, "six invocations to be running at once");
      barrier.release();
      const environments = (await Promise.all(running)).map(
        (r) => (JSON.parse(decode(r.Payload)) as { environment: string }).environment,
      );
      expect(new Set(environments).size).toBe(6);
    } finally {
      await barrier.close();
    }
    const metrics = await (await fetch(`${jeff.url}/_jeff/metrics`)).text();
    expect(metrics).toMatch(/jeff_function_environments\{state="idle"\} ([6-9]|\d\d)/);
    expect(metrics).toContain('jeff_function_invocations_total{function="napper",type="RequestResponse"} 6');
    expect(metrics).toContain('jeff_function_throttles_total{function="sleeper"} 1');
    expect(metrics).toMatch(/jeff_function_init_duration_seconds_count\{function="napper"\} 6/);
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

describe("jeff invoke", () => {
  it("prints the result on stdout and the log on stderr, and fails when the function does", async () => {
    const eventFile = join(jeff.dataDir, "event.json");
    await writeFile(eventFile, '{"from":"jeff invoke"}');
    const ok = await runJeff(["invoke", "echo", "--event", eventFile, "--data-dir", jeff.dataDir]);
    expect(JSON.parse(ok.stdout)).toMatchObject({ event: { from: "jeff invoke" }, functionName: "echo" });
    expect(ok.stderr).toContain("hello from the log");
    await createFunction("always-fails", `export const handler = async () => { throw new Error("nope"); };`);
    const failed = await runJeff(["invoke", "always-fails", "--data-dir", jeff.dataDir]).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).toContain('"errorMessage":"nope"');
    expect(failed?.stderr).toContain("always-fails failed (Unhandled)");
  });
});

describe("logs", () => {
  it("keeps each invocation's lines in /aws/lambda/NAME for aws logs and jeff logs", async () => {
    await lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: text('{"n":"logged"}') }));
    const env = jeff.awsEnv();
    // A function's log is written just after its answer, as on Lambda: wait for it to land.
    let events: Array<{ message: string; logStreamName: string }> = [];
    await until(async () => {
      const filtered = await aws(
        ["logs", "filter-log-events", "--log-group-name", "/aws/lambda/echo", "--output", "json"],
        env,
      );
      events = (JSON.parse(filtered.stdout) as { events: typeof events }).events;
      return events.some((e) => e.message.startsWith("REPORT RequestId:"));
    }, "the invocation's log");
    expect(events.some((e) => e.message.includes("hello from the log"))).toBe(true);
    expect(events[0]?.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\]/);
    const matching = await aws(
      [
        "logs",
        "filter-log-events",
        "--log-group-name",
        "/aws/lambda/echo",
        "--filter-pattern",
        "REPORT",
        "--output",
        "json",
      ],
      env,
    );
    const reports = (JSON.parse(matching.stdout) as { events: Array<{ message: string }> }).events;
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.every((e) => e.message.includes("REPORT"))).toBe(true);
    // Either term (?), and a term left out (-), as CloudWatch reads them.
    const either = await aws(
      [
        "logs",
        "filter-log-events",
        "--log-group-name",
        "/aws/lambda/echo",
        "--filter-pattern",
        "?REPORT ?START",
        "--output",
        "json",
      ],
      env,
    );
    const starts = (JSON.parse(either.stdout) as { events: Array<{ message: string }> }).events;
    expect(starts.some((e) => e.message.startsWith("START"))).toBe(true);
    expect(starts.some((e) => e.message.startsWith("REPORT"))).toBe(true);
    expect(starts.every((e) => /START|REPORT/.test(e.message))).toBe(true);
    const notReports = await aws(
      [
        "logs",
        "filter-log-events",
        "--log-group-name",
        "/aws/lambda/echo",
        // With `=`: the CLI would take a lone "-REPORT" for an option.
        "--filter-pattern=-REPORT",
        "--output",
        "json",
      ],
      env,
    );
    const others = (JSON.parse(notReports.stdout) as { events: Array<{ message: string }> }).events;
    expect(others.length).toBeGreaterThan(0);
    expect(others.some((e) => e.message.includes("REPORT"))).toBe(false);

    const tail = await aws(["logs", "tail", "/aws/lambda/echo", "--since", "1h"], env);
    expect(tail.stdout).toContain("hello from the log");

    const jeffLogs = await runJeff(["logs", "echo", "--since", "1h", "--data-dir", jeff.dataDir]);
    expect(jeffLogs.stdout).toContain("hello from the log");
    expect(jeffLogs.stdout).toContain("END RequestId:");

    const missing = await aws(
      ["logs", "filter-log-events", "--log-group-name", "/aws/lambda/never-invoked"],
      env,
    );
    expect(missing.stderr).toContain("(ResourceNotFoundException)");
  });
});

describe("memory without the sandbox", () => {
  it("ends an invocation whose memory went past MemorySize and back as Runtime.OutOfMemory", async () => {
    // Plain processes have no cgroup to stop the spike; the runtime's peak still shows it.
    const plain = await startJeff({ env: { JEFF_ISOLATION: "process" } });
    try {
      const lambda = lambdaClientFor(plain);
      await createNodeFunction(
        lambda,
        plain.accountId,
        "spike",
        `export const handler = async () => {
  let block = Buffer.alloc(120 * 1024 * 1024, 1);
  const size = block.length;
  block = undefined;
  return { size };
};`,
        { MemorySize: 128 },
      );
      const out = await lambda.send(new InvokeCommand({ FunctionName: "spike" }));
      expect(out.FunctionError).toBe("Unhandled");
      expect(JSON.parse(decode(out.Payload))).toMatchObject({ errorType: "Runtime.OutOfMemory" });
      // A function that stays within its memory is answered as before.
      await createNodeFunction(
        lambda,
        plain.accountId,
        "modest",
        "export const handler = async () => ({ size: Buffer.alloc(8 * 1024 * 1024, 1).length });",
        { MemorySize: 128 },
      );
      const fine = await lambda.send(new InvokeCommand({ FunctionName: "modest" }));
      expect(fine.FunctionError).toBeUndefined();
      expect(JSON.parse(decode(fine.Payload))).toEqual({ size: 8 * 1024 * 1024 });
    } finally {
      await plain.stop();
    }
  });
});
