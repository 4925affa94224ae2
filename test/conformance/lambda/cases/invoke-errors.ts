// test_lambda.py::TestLambdaErrors: a runtime that fails to start, exits or crashes, and a payload
// that is not JSON. (test_lambda_handler_error and the `body` payload have no recording here.)
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { type ReplayCase, replayed } from "../case.js";
import { type CreateOptions, type Replay, shortUid } from "../replay.js";
import { pythonEcho, uuidPattern } from "./invoke-features.js";

/** Creates `file` as the handler module `<module>.handler` and invokes it with no payload. */
async function invokeModule(
  r: Replay,
  module: string,
  source: string,
  options: Partial<CreateOptions> = {},
): Promise<void> {
  r.regex(uuidPattern, "<uuid>");
  const name = `test-function-${shortUid()}`;
  await r.createFunction({
    funcName: name,
    Handler: `${module}.handler`,
    Runtime: "python3.12",
    files: { [`${module}.py`]: source },
    ...options,
  });
  r.match("invocation_error", await r.ok(r.lambda.send(new InvokeCommand({ FunctionName: name }))));
}

export const cases: ReplayCase[] = [
  replayed("test_lambda", "TestLambdaErrors::test_lambda_runtime_error", (r) =>
    invokeModule(r, "lambda_runtime_error", 'raise Exception("Runtime startup fails")\n', {
      Runtime: "python3.13",
    }),
  ),
  replayed("test_lambda", "TestLambdaErrors::test_lambda_runtime_exit", (r) =>
    invokeModule(r, "lambda_runtime_exit", "import sys\n\nsys.exit(0)\n"),
  ),
  replayed("test_lambda", "TestLambdaErrors::test_lambda_runtime_exit_segfault", (r) =>
    invokeModule(
      r,
      "lambda_runtime_exit_segfault",
      [
        "import sys",
        "",
        "sys.setrecursionlimit(10**6)",
        "",
        "",
        "def recurse(n):",
        '    print(f"In recursion {n}")',
        "    recurse(n + 1)",
        "",
        "",
        "recurse(1)",
        "",
      ].join("\n"),
    ),
  ),
  replayed("test_lambda", "TestLambdaErrors::test_lambda_handler_exit", (r) =>
    invokeModule(r, "lambda_handler_exit", "import sys\n\n\ndef handler(event, context):\n    sys.exit(0)\n"),
  ),
  replayed("test_lambda", "TestLambdaErrors::test_lambda_runtime_wrapper_not_found", (r) =>
    invokeModule(r, "lambda_echo", pythonEcho, {
      Environment: { Variables: { AWS_LAMBDA_EXEC_WRAPPER: "/idontexist.sh" } },
    }),
  ),
  replayed(
    "test_lambda",
    "TestLambdaErrors::test_lambda_invoke_payload_encoding_error[message-\\x99\\xeb,j\\x07\\xa1zYh]",
    async (r) => {
      const name = `test-function-${shortUid()}`;
      await r.createFunction({
        funcName: name,
        Handler: "lambda_echo.handler",
        files: { "lambda_echo.py": pythonEcho },
      });
      const noRetry = r.client(LambdaClient);
      const payload = Uint8Array.from([0x99, 0xeb, 0x2c, 0x6a, 0x07, 0xa1, 0x7a, 0x59, 0x68]);
      r.match(
        "invoke_function_invalid_payload_message",
        await r.fails(noRetry.send(new InvokeCommand({ FunctionName: name, Payload: payload }))),
      );
    },
  ),
];
