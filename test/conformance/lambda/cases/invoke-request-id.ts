// test_lambda.py::TestRequestIdHandling: the request id of the API call is the invocation's, in the
// function's context and in every line of its log. (The function URL test is excluded in scope.ts.)
import {
  InvokeCommand,
  ListFunctionsCommand,
  PutFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { type ReplayCase, replayed } from "../case.js";
import { shortUid } from "../replay.js";
import { reportLogTransformers } from "./invoke-features.js";

const uuidOnly = /^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/;

/** Logs a line with the logging module and answers with its request id (functions/lambda_request_id.py). */
const pythonRequestId = [
  "import logging",
  "",
  "logging.basicConfig(level=logging.INFO)",
  "logger = logging.getLogger(__name__)",
  "logger.setLevel(logging.INFO)",
  "",
  "",
  "def handler(event, context):",
  '    logger.info("RequestId log message")',
  "    return context.aws_request_id",
  "",
].join("\n");

/** Prints its event and request id, fails when asked to (functions/lambda_context.py). */
const pythonContext = [
  "def handler(event, context):",
  "    print(event)",
  "    print(context.aws_request_id)",
  '    if event.get("fail"):',
  '        raise Exception("Intentional failure")',
  "    return context.aws_request_id",
  "",
].join("\n");

export const cases: ReplayCase[] = [
  // Nothing recorded: the test checks the form of the request id.
  replayed("test_lambda", "TestRequestIdHandling::test_request_id_format", async (r) => {
    const listed = await r.lambda.send(new ListFunctionsCommand({}));
    if (!uuidOnly.test(listed.$metadata.requestId ?? "")) {
      throw new Error(`ListFunctions' request id ${listed.$metadata.requestId} is not a lowercase UUID`);
    }
  }),

  replayed("test_lambda", "TestRequestIdHandling::test_request_id_invoke", async (r) => {
    const name = `test_lambda_${shortUid()}`;
    await r.createFunction({
      funcName: name,
      Runtime: "python3.12",
      files: { "handler.py": pythonRequestId },
    });
    const result = await r.lambda.send(new InvokeCommand({ FunctionName: name }));
    r.match("invoke_result", await r.ok(Promise.resolve(result)));
    r.regex(result.$metadata.requestId ?? "(none)", "<request-id>");
    const events = await r.logEvents(name, (e) => e.some((event) => event.message?.includes("REPORT")));
    const logs = events.map((e) => (e.message ?? "").trimEnd()).filter((m) => m.includes("RequestId"));
    r.match("log_entries", { logs });
    reportLogTransformers(r);
  }),

  // LocalStack waits 5 s before a retry here instead of Lambda's minute; the runner's Jeff waits
  // less than a minute too (lambda-recorded.test.ts).
  replayed("test_lambda", "TestRequestIdHandling::test_request_id_async_invoke_with_retry", async (r) => {
    r.keyValue("eventId", "event-id");
    const name = `test_lambda_${shortUid()}`;
    await r.createFunction({ funcName: name, Runtime: "python3.12", files: { "handler.py": pythonContext } });
    await r.lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: name, MaximumRetryAttempts: 1 }),
    );
    await r.waitUpdated(name);
    const result = await r.lambda.send(
      new InvokeCommand({
        FunctionName: name,
        InvocationType: "Event",
        Payload: new TextEncoder().encode(JSON.stringify({ fail: 1 })),
      }),
    );
    r.match("invoke_result", await r.ok(Promise.resolve(result)));
    const requestId = result.$metadata.requestId ?? "(none)";
    r.regex(requestId, "<request-id>");
    const events = await r.logEvents(
      name,
      (e) => e.filter((event) => event.message?.includes("REPORT")).length >= 2,
      110_000,
    );
    const reports = events.filter((e) => e.message?.includes("REPORT"));
    if (reports.length !== 2 || !reports.every((e) => e.message?.includes(requestId))) {
      throw new Error(`expected two REPORT lines of ${requestId}: ${JSON.stringify(reports)}`);
    }
    r.match(
      "end_messages",
      events.filter((e) => e.message?.includes("END")).map((e) => (e.message ?? "").trimEnd()),
    );
  }),
];
