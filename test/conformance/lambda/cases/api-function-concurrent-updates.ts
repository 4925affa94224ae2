// test_lambda_api.py::TestLambdaFunction: a second update of a function's code, or of its
// configuration, while the first is still in progress.
import { UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { type ReplayCase, replayed } from "../case.js";
import { shortUid, zip } from "../replay.js";

/** A handler answering which version of its code runs (LocalStack's lambda_version.py). */
const versionHandler = (version: string) =>
  zip({
    "handler.py": [
      "def handler(event, context):",
      `    return {"version_id": "${version}", "invoked_arn": context.invoked_function_arn,`,
      '            "version_from_ctx": context.function_version}',
      "",
    ].join("\n"),
  });

export const cases: ReplayCase[] = [
  replayed("test_lambda_api", "TestLambdaFunction::test_lambda_concurrent_code_updates", async (r) => {
    const FunctionName = `test-lambda-${shortUid()}`;
    r.match(
      "create-function-response",
      await r.createFunctionAws({
        FunctionName,
        Runtime: "python3.12",
        Role: r.role,
        Handler: "handler.handler",
        Code: { ZipFile: versionHandler("version0") },
      }),
    );
    await r.lambda.send(new UpdateFunctionCodeCommand({ FunctionName, ZipFile: versionHandler("version1") }));
    const second = r.lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName, ZipFile: versionHandler("version2") }),
    );
    r.match("update-during-in-progress-update-exc", await r.fails(second));
    await r.waitUpdated(FunctionName);
  }),
  replayed("test_lambda_api", "TestLambdaFunction::test_lambda_concurrent_config_updates", async (r) => {
    const FunctionName = `test-lambda-${shortUid()}`;
    r.match("create-function-response", await r.createFunction({ funcName: FunctionName }));
    const update = (value: string) =>
      r.lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName, Environment: { Variables: { TEST: value } } }),
      );
    await update("TEST1");
    r.match("update-during-in-progress-update-exc", await r.fails(update("TEST2")));
    await r.waitUpdated(FunctionName);
  }),
];
