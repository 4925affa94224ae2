// test_lambda_api.py::TestLambdaRecursion: a function's RecursiveLoop setting — set to Allow, read
// back, Terminate by default, and an invalid value refused.
import { GetFunctionRecursionConfigCommand, PutFunctionRecursionConfigCommand } from "@aws-sdk/client-lambda";
import { type ReplayCase, replayed } from "../case.js";
import { type Replay, shortUid } from "../replay.js";

async function recursionTestFunction(r: Replay): Promise<string> {
  const functionName = `recursion-test-${shortUid()}`;
  r.regex(functionName, "<fn-name>");
  await r.createFunction({ funcName: functionName, Description: "Lambda with recursion test" });
  return functionName;
}

export const cases: ReplayCase[] = [
  replayed("test_lambda_api", "TestLambdaRecursion::test_put_function_recursion_config_allow", async (r) => {
    const FunctionName = await recursionTestFunction(r);
    r.match(
      "put_recursion_config_response",
      await r.ok(
        r.lambda.send(new PutFunctionRecursionConfigCommand({ FunctionName, RecursiveLoop: "Allow" })),
      ),
    );
    r.match(
      "get_recursion_config_response",
      await r.ok(r.lambda.send(new GetFunctionRecursionConfigCommand({ FunctionName }))),
    );
  }),
  replayed(
    "test_lambda_api",
    "TestLambdaRecursion::test_put_function_recursion_config_default_terminate",
    async (r) => {
      const FunctionName = await recursionTestFunction(r);
      r.match(
        "get_recursion_default_terminate_response",
        await r.ok(r.lambda.send(new GetFunctionRecursionConfigCommand({ FunctionName }))),
      );
    },
  ),
  replayed(
    "test_lambda_api",
    "TestLambdaRecursion::test_put_function_recursion_config_invalid_value",
    async (r) => {
      const FunctionName = await recursionTestFunction(r);
      const put = r.lambda.send(
        new PutFunctionRecursionConfigCommand({
          FunctionName,
          RecursiveLoop: "InvalidValue" as "Allow",
        }),
      );
      r.match("put_recursion_invalid_value_error", await r.fails(put));
    },
  ),
];
