// test_lambda.py::TestLambdaFeatures: invocation types, the log tail, environments, a missing
// function, on Python and on Node (nodejs16.x and nodejs18.x run on the host's Node, as the
// python3.x names run on its python3). The test of S3 code is excluded in scope.ts.
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  type InvokeCommandInput,
  type Runtime,
} from "@aws-sdk/client-lambda";
import { type ReplayCase, replayed } from "../case.js";
import { type Replay, shortUid, zip } from "../replay.js";

/** LocalStack's PATTERN_UUID. */
export const uuidPattern = /[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}/;

/** A Python handler that prints its event as JSON and answers with it (functions/lambda_echo.py). */
export const pythonEcho = [
  "import json",
  "",
  "",
  "def handler(event, context):",
  "    print(json.dumps(event))",
  "    return event",
  "",
].join("\n");

/** The same with nothing returned (functions/lambda_none.py). */
const pythonNone = [
  "import json",
  "",
  "",
  "def handler(event, context):",
  "    print(json.dumps(event))",
  "",
].join("\n");

/** Answers with the variable `Hello` (functions/lambda_environment.py, the part the test reaches). */
const pythonEnvironment = [
  "import os",
  "",
  "",
  "def handler(event, context):",
  '    if "raise_error" in event:',
  '        raise Exception("Test exception (this is intentional)")',
  '    if os.environ.get("raw_string_result"):',
  '        return os.environ["raw_string_result"]',
  '    if event.get("map"):',
  '        return {"Hello": event["map"]}',
  '    return {"Hello": os.environ.get("Hello", "_value_missing_")}',
  "",
].join("\n");

/** functions/lambda_echo.js: logs its event and answers with it. */
const nodeEcho =
  "exports.handler = async function(event, context) {\n\tconsole.log(event);\n\treturn event;\n};\n";

/** functions/lambda_none.js: logs its event as JSON and answers nothing. */
const nodeNone = "exports.handler = async (event) => {\n   console.log(JSON.stringify(event))\n}\n";

/** functions/lambda_integration.js: answers with its context, through the callback. */
const nodeIntegration = [
  "exports.handler = function(event, context, callback) {",
  "\tconsole.log('Node.js Lambda handler executing.');",
  "\tvar result = {context};",
  "\tif (callback) {",
  "\t\tcallback(null, result);",
  "\t} else {",
  "\t\tcontext.succeed(result);",
  "\t}",
  "};",
  "",
].join("\n");

/** LocalStack's `lambda_report_logs()`. */
export function reportLogTransformers(r: Replay): void {
  r.regex(/Duration: \d+(\.\d{2})? ms/, "Duration: <duration> ms");
  r.regex(/Used: \d+ MB/, "Used: <memory> MB");
}

/** The fixture `check_lambda_logs`: waits until every expected pattern matches a line of the log. */
export async function checkLambdaLogs(r: Replay, name: string, expected: RegExp[]): Promise<void> {
  await r.logEvents(name, (events) => {
    const lines = events.flatMap((e) => (e.message ?? "").split("\n"));
    return expected.every((pattern) => lines.some((line) => pattern.test(line)));
  });
}

/** The class's fixture `invocation_echo_lambda`: an echo function of `runtime`; its ARN. */
async function invocationEchoLambda(r: Replay, runtime: string): Promise<string> {
  const created = await r.createFunction({
    funcName: `echo-func-${shortUid()}`,
    Runtime: runtime as Runtime,
    files: runtime.startsWith("nodejs") ? { "handler.js": nodeEcho } : { "handler.py": pythonEcho },
  });
  return (created.CreateFunctionResponse as { FunctionArn: string }).FunctionArn;
}

function invoke(r: Replay, input: InvokeCommandInput) {
  return r.lambda.send(new InvokeCommand(input));
}

const text = (body: string) => new TextEncoder().encode(body);

/** Python's `str.splitlines(keepends=True)` for the line endings a log holds. */
function splitLinesKeepEnds(value: string): string[] {
  return value.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

const runtimeInvocations = (runtime: string): ReplayCase[] => [
  replayed(
    "test_lambda",
    `TestLambdaFeatures::test_invocation_type_request_response[${runtime}]`,
    async (r) => {
      const arn = await invocationEchoLambda(r, runtime);
      r.match(
        "invoke-result",
        await r.ok(invoke(r, { FunctionName: arn, Payload: text("{}"), InvocationType: "RequestResponse" })),
      );
    },
  ),
  replayed("test_lambda", `TestLambdaFeatures::test_invocation_type_event[${runtime}]`, async (r) => {
    const arn = await invocationEchoLambda(r, runtime);
    r.match(
      "invoke-result",
      await r.ok(invoke(r, { FunctionName: arn, Payload: text("{}"), InvocationType: "Event" })),
    );
    await checkLambdaLogs(r, arn.split(":").pop()!, [/.*\{\}/]);
  }),
  // Recorded while the test ran (it is skipped now: "Not yet implemented" in LocalStack).
  replayed("test_lambda", `TestLambdaFeatures::test_invocation_type_dry_run[${runtime}]`, async (r) => {
    const arn = await invocationEchoLambda(r, runtime);
    r.match(
      "invoke-result",
      await r.ok(invoke(r, { FunctionName: arn, Payload: text("{}"), InvocationType: "DryRun" })),
    );
  }),
];

export const cases: ReplayCase[] = [
  // The recording is older than the fixture's parameters: these ran on python3.9.
  ...runtimeInvocations("python3.9"),

  ...runtimeInvocations("nodejs16.x"),

  ...["python3.10", "nodejs16.x"].map((runtime) =>
    replayed("test_lambda", `TestLambdaFeatures::test_invocation_with_logs[${runtime}]`, async (r) => {
      const arn = await invocationEchoLambda(r, runtime);
      r.regex(uuidPattern, "<request-id>");
      r.keyValue("LogResult", "log-result");
      const result = await r.ok(invoke(r, { FunctionName: arn, Payload: text("{}"), LogType: "Tail" }));
      r.match("invoke", result);
      const logs = Buffer.from(String(result.LogResult ?? ""), "base64").toString("utf8");
      reportLogTransformers(r);
      r.match("logs", { logs: splitLinesKeepEnds(logs) });
    }),
  ),

  // Skipped in LocalStack today; recorded in 2022 on nodejs16.x, as its answer says.
  replayed("test_lambda", "TestLambdaFeatures::test_lambda_with_context", async (r) => {
    const name = `test-function-${shortUid()}`;
    r.match(
      "creation",
      await r.createFunction({
        funcName: name,
        Runtime: "nodejs16.x",
        Handler: "lambda_integration.handler",
        files: { "lambda_integration.js": nodeIntegration },
      }),
    );
    const ctx = { custom: { foo: "bar" }, client: { snap: ["crackle", "pop"] }, env: { fizz: "buzz" } };
    r.match(
      "invocation",
      await r.ok(
        invoke(r, {
          FunctionName: name,
          Payload: text("{}"),
          ClientContext: Buffer.from(JSON.stringify(ctx)).toString("base64"),
        }),
      ),
    );
    await checkLambdaLogs(r, name, [/.*Node.js Lambda handler executing\./]);
  }),

  replayed("test_lambda", "TestLambdaFeatures::test_invoke_exceptions", async (r) => {
    r.match("invoke_function_doesnotexist", await r.fails(invoke(r, { FunctionName: "doesnotexist" })));
  }),

  ...(["RequestResponse", "Event"] as const).flatMap((invocationType) =>
    (["python", "nodejs"] as const).map((language) =>
      replayed(
        "test_lambda",
        `TestLambdaFeatures::test_invocation_type_no_return_payload[${language}-${invocationType}]`,
        async (r) => {
          const name = `test-function-${shortUid()}`;
          await r.createFunction({
            funcName: name,
            Runtime: language === "python" ? "python3.12" : "nodejs18.x",
            files: language === "python" ? { "handler.py": pythonNone } : { "handler.js": nodeNone },
          });
          r.match(
            "invoke-result",
            await r.ok(
              invoke(r, { FunctionName: name, Payload: text("{}"), InvocationType: invocationType }),
            ),
          );
          await checkLambdaLogs(r, name, [/.*\{\}/]);
        },
      ),
    ),
  ),

  // Recorded in 2022 by a test since removed (its request, from the recording and the test of
  // then: two functions from the same echo package, `index.handler` on python3.9, both read
  // back, the first invoked with `{}`).
  replayed("test_lambda", "TestLambdaFeatures::test_basic_invoke", async (r) => {
    const names = [`ls-fn-${shortUid()}`, `ls-fn-${shortUid()}`];
    const labels = ["lambda_create_fn", "lambda_create_fn_2"];
    for (const [i, name] of names.entries()) {
      const answer = await r.createFunctionAws({
        FunctionName: name,
        Handler: "index.handler",
        Code: { ZipFile: zip({ "index.py": "def handler(event, context):\n    return event\n" }) },
        PackageType: "Zip",
        Role: r.role,
        Runtime: "python3.9",
      });
      r.match(labels[i]!, answer);
    }
    r.match("lambda_get_fn", await r.ok(r.lambda.send(new GetFunctionCommand({ FunctionName: names[0] }))));
    r.match("lambda_get_fn_2", await r.ok(r.lambda.send(new GetFunctionCommand({ FunctionName: names[1] }))));
    r.match("lambda_invoke_result", await r.ok(invoke(r, { FunctionName: names[0], Payload: text("{}") })));
  }),

  // Recorded in 2022 by a test since removed: a python3.9 function with `Hello=World` set.
  replayed("test_lambda", "TestLambdaFeatures::test_lambda_environment", async (r) => {
    const name = `env-test-function-${shortUid()}`;
    r.match(
      "creation-result",
      await r.createFunction({
        funcName: name,
        Runtime: "python3.9",
        files: { "handler.py": pythonEnvironment },
        Environment: { Variables: { Hello: "World" } },
      }),
    );
    r.match("invocation-result", await r.ok(invoke(r, { FunctionName: name, Payload: text("{}") })));
    r.match(
      "get-configuration-result",
      await r.ok(r.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))),
    );
  }),

  // Recorded while the test ran (skipped now in LocalStack); on python3.10 then, as the answer says.
  replayed("test_lambda", "TestLambdaFeatures::test_invocation_type_event_error", async (r) => {
    r.regex(uuidPattern, "<request-id>");
    const name = `test-function-${shortUid()}`;
    r.match(
      "creation_response",
      await r.createFunction({
        funcName: name,
        Runtime: "python3.10",
        files: {
          "handler.py": [
            "class CustomException(Exception):",
            "    pass",
            "",
            "",
            "def handler(event, context):",
            '    raise CustomException("some error occurred")',
            "",
          ].join("\n"),
        },
      }),
    );
    r.match(
      "invocation_response",
      await r.ok(invoke(r, { FunctionName: name, Payload: text("{}"), InvocationType: "Event" })),
    );
    const count = (events: { message?: string }[], prefix: string) =>
      events.filter((e) => e.message?.startsWith(prefix)).length;
    const events = await r.logEvents(
      name,
      (e) => count(e, "START") === 2 && count(e, "REPORT") === 2,
      150_000,
    );
    r.match(
      "log_events",
      events.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
    );
  }),
];
