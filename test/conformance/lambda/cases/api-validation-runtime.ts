// test_lambda_api.py::TestRuntimeValidation: creating a function on a runtime Lambda has deprecated.
import { CreateFunctionCommand } from "@aws-sdk/client-lambda";
import { type ReplayCase, replayed } from "../case.js";
import { echoSource, shortUid, zip } from "../replay.js";

/** The test's DEPRECATED_RUNTIMES, in its order. */
const deprecatedRuntimes = [
  "java8",
  "go1.x",
  "provided",
  "ruby2.7",
  "nodejs14.x",
  "python3.7",
  "dotnetcore3.1",
  "nodejs12.x",
] as const;

export const cases: ReplayCase[] = deprecatedRuntimes.map((runtime) =>
  replayed(
    "test_lambda_api",
    `TestRuntimeValidation::test_create_deprecated_function_runtime_with_validation_enabled[${runtime}]`,
    async (r) => {
      // testutil.create_lambda_function, called directly: a Python echo handler on `runtime`.
      const created = r.lambda.send(
        new CreateFunctionCommand({
          FunctionName: `fn-${shortUid()}`,
          Runtime: runtime,
          Handler: "handler.handler",
          Role: r.role,
          Code: { ZipFile: zip({ "handler.py": echoSource("python3.12") }) },
          Timeout: 30,
        }),
      );
      r.match("deprecation_error", await r.fails(created));
    },
  ),
);
