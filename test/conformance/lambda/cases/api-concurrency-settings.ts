// test_lambda_api.py::TestLambdaReservedConcurrency and ::TestLambdaAccountSettings: reserved
// concurrency against the account's limits, and the account's settings and code-size usage.
import {
  DeleteFunctionConcurrencyCommand,
  GetAccountSettingsCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { type ReplayCase, replayed } from "../case.js";
import { echoSource, type Replay, shortUid, zip } from "../replay.js";

const accountSettings = (r: Replay) => r.lambda.send(new GetAccountSettingsCommand({}));
const totalCodeSize = async (r: Replay) => (await accountSettings(r)).AccountUsage!.TotalCodeSize!;

const put = (r: Replay, FunctionName: string, ReservedConcurrentExecutions: number) =>
  r.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName, ReservedConcurrentExecutions }));

export const cases: ReplayCase[] = [
  replayed(
    "test_lambda_api",
    "TestLambdaReservedConcurrency::test_function_concurrency_exceptions",
    async (r) => {
      r.match(
        "put_function_concurrency_with_function_name_doesnotexist",
        await r.fails(put(r, "doesnotexist", 1)),
      );
      r.match(
        "put_function_concurrency_with_function_name_doesnotexist_and_invalid_concurrency",
        await r.fails(put(r, "doesnotexist", 0)),
      );
      const name = `lambda_func-${shortUid()}`;
      await r.createFunction({ funcName: name });
      const fn = await r.lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: "$LATEST" }),
      );
      r.match("put_function_concurrency_with_qualified_arn", await r.fails(put(r, fn.FunctionArn!, 0)));
    },
  ),
  // The test lowers LocalStack's limits (5 concurrent executions, 3 kept unreserved) and replaces
  // the minimum in the message; Jeff keeps its own limits, read from GetAccountSettings.
  replayed(
    "test_lambda_api",
    "TestLambdaReservedConcurrency::test_function_concurrency_limits",
    async (r) => {
      r.regex(/(?<=minimum value of \[)\d+(?=\])/, "<min_unreserved_concurrency>");
      const name = `lambda_func-${shortUid()}`;
      await r.createFunction({ funcName: name });
      const limit = (await accountSettings(r)).AccountLimit!.ConcurrentExecutions!;
      r.match("put_function_concurrency_account_limit_exceeded", await r.fails(put(r, name, limit + 1)));
      r.match("put_function_concurrency_below_unreserved_min_value", await r.fails(put(r, name, limit)));
    },
  ),
  replayed("test_lambda_api", "TestLambdaReservedConcurrency::test_function_concurrency", async (r) => {
    const name = `lambda_func-${shortUid()}`;
    await r.createFunction({ funcName: name });
    r.match("put_function_concurrency_with_reserved_0", await r.ok(put(r, name, 0)));
    r.match("put_function_concurrency_with_reserved_1", await r.ok(put(r, name, 1)));
    const get = () => r.ok(r.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name })));
    r.match("get_function_concurrency", await get());
    r.match(
      "delete_response",
      await r.ok(r.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }))),
    );
    r.match("get_function_concurrency_after_delete", await get());
  }),
  replayed("test_lambda_api", "TestLambdaAccountSettings::test_account_settings", async (r) => {
    const settings = await r.ok(accountSettings(r));
    r.match("acc_settings_modded", {
      ...settings,
      AccountLimit: Object.keys(settings.AccountLimit as object).sort(),
      AccountUsage: Object.keys(settings.AccountUsage as object).sort(),
    });
  }),
  // Needs layers for its second half (scope.ts); its first half is this: a function's package counts
  // once created, and again once published.
  replayed(
    "test_lambda_api",
    "TestLambdaAccountSettings::test_account_settings_total_code_size",
    async (r) => {
      const before = await totalCodeSize(r);
      const name = `lambda_func-${shortUid()}`;
      const code = zip({ "index.py": echoSource("python3.12") });
      await r.createFunction({ funcName: name, Code: { ZipFile: code }, Handler: "index.handler" });
      const created = await totalCodeSize(r);
      r.match("total_code_size_diff_create_function", created - before);
      await r.lambda.send(
        new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: code, Publish: true }),
      );
      r.match("total_code_size_diff_update_function", (await totalCodeSize(r)) - created);
    },
  ),
  // A nodejs18.x function moved to nodejs20.x: a configuration change that leaves the code as it was.
  replayed(
    "test_lambda_api",
    "TestLambdaAccountSettings::test_account_settings_total_code_size_config_update",
    async (r) => {
      const before = await totalCodeSize(r);
      const name = `lambda_func-${shortUid()}`;
      await r.createFunction({ funcName: name, Runtime: "nodejs18.x", files: { "handler.js": nodeHandler } });
      const created = await totalCodeSize(r);
      r.match("is_total_code_size_diff_create_function_more_than_200", created - before > 200);
      await r.lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: name, Runtime: "nodejs20.x" }),
      );
      await r.waitUpdated(name);
      const updated = await totalCodeSize(r);
      r.match("total_code_size_diff_update_function_configuration", updated - created);
      await r.lambda.send(
        new PublishVersionCommand({ FunctionName: name, Description: "actually publish the config update" }),
      );
      await r.waitActive(name);
      r.match(
        "is_total_code_size_diff_publish_version_after_config_update_more_than_200",
        (await totalCodeSize(r)) - updated > 200,
      );
    },
  ),
];

/** TEST_LAMBDA_NODEJS: logs the event and answers an API Gateway-style response naming it. */
const nodeHandler = `exports.handler = async (event) => {
  console.log(JSON.stringify(event));
  return {
    statusCode: 200,
    body: JSON.stringify("response from the function: " + JSON.stringify(event)),
    isBase64Encoded: false,
    headers: {},
  };
};
`;
