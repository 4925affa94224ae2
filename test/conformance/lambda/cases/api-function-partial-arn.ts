// test_lambda_api.py::TestPartialARNMatching::test_update_function_configuration_full_arn: the same
// function updated by its full ARN, its name and its partial ARN (`<account>:function:<name>`).
import { UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { type ReplayCase, replayed } from "../case.js";
import { shortUid } from "../replay.js";

export const cases: ReplayCase[] = [
  replayed(
    "test_lambda_api",
    "TestPartialARNMatching::test_update_function_configuration_full_arn",
    async (r) => {
      const functionName = `fn-${shortUid()}`;
      const created = await r.createFunction({ funcName: functionName, MemorySize: 256, Timeout: 5 });
      await r.waitActive(functionName);
      const fullArn = (created.CreateFunctionResponse as { FunctionArn: string }).FunctionArn;
      const partialArn = fullArn.split(":").slice(-3).join(":");
      for (const name of [fullArn, functionName, partialArn]) {
        await r.lambda.send(
          new UpdateFunctionConfigurationCommand({
            FunctionName: name,
            Description: "Changed-Description",
            MemorySize: 512,
            Timeout: 10,
            Environment: { Variables: { ENV_A: "a" } },
          }),
        );
        await r.waitUpdated(functionName);
      }
    },
  ),
];
