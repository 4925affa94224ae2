// test_lambda.py::TestLambdaCleanup: a function deleted and created again under the same name.
// (test_delete_lambda_during_sync_invoke has no recording here.)
import { DeleteFunctionCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import { type ReplayCase, replayed } from "../case.js";
import type { CreateOptions } from "../replay.js";
import { shortUid } from "../replay.js";
import { checkLambdaLogs, pythonEcho } from "./invoke-features.js";

export const cases: ReplayCase[] = [
  replayed("test_lambda", "TestLambdaCleanup::test_recreate_function", async (r) => {
    const name = `test-function-${shortUid()}`;
    const options: CreateOptions = {
      funcName: name,
      Handler: "lambda_echo.handler",
      Runtime: "python3.12",
      files: { "lambda_echo.py": pythonEcho },
    };
    r.match("create_function_response_one", await r.createFunction(options));
    await r.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    r.match("create_function_response_two", await r.createFunction(options));
    const invoked = await r.ok(
      r.lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: "Event" })),
    );
    if (invoked.StatusCode !== 202) throw new Error(`the event was answered ${invoked.StatusCode}`);
    await checkLambdaLogs(r, name, [/.*\{\}/]);
  }),
];
