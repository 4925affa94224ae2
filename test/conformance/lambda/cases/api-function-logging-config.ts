// test_lambda_api.py::TestLoggingConfig: a function's LoggingConfig — JSON or Text, the log levels
// and the log group — set on create and changed, whole or in part, by UpdateFunctionConfiguration.
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  type LoggingConfig,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { type ReplayCase, replayed } from "../case.js";
import { type Replay, shortUid } from "../replay.js";

/** Creates the function as the tests do and records the three reads that follow. */
async function createAndRead(r: Replay, functionName: string, loggingConfig?: LoggingConfig) {
  r.match(
    "create_response",
    await r.createFunction({
      funcName: functionName,
      MemorySize: 256,
      Timeout: 5,
      ...(loggingConfig ? { LoggingConfig: loggingConfig } : {}),
    }),
  );
  await r.waitActive(functionName);
  r.match(
    "get_function_response",
    await r.ok(r.lambda.send(new GetFunctionCommand({ FunctionName: functionName }))),
  );
  r.match(
    "function_config",
    await r.ok(r.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }))),
  );
}

/** Updates LoggingConfig, waits for the update, and records the answer and the read after it. */
async function updateAndRead(r: Replay, functionName: string, loggingConfig: LoggingConfig, suffix = "") {
  r.match(
    `updated_config${suffix}`,
    await r.ok(
      r.lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: functionName, LoggingConfig: loggingConfig }),
      ),
    ),
  );
  await r.waitUpdated(functionName);
  r.match(
    `received_config${suffix}`,
    await r.ok(r.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }))),
  );
}

const partialConfigs: LoggingConfig[] = [
  { LogFormat: "JSON" },
  { LogFormat: "JSON", ApplicationLogLevel: "DEBUG" },
  { LogFormat: "JSON", SystemLogLevel: "DEBUG" },
  { LogGroup: "cool_lambda" },
];

export const cases: ReplayCase[] = [
  replayed(
    "test_lambda_api",
    "TestLoggingConfig::test_function_advanced_logging_configuration",
    async (r) => {
      const functionName = `fn-${shortUid()}`;
      await createAndRead(r, functionName, { LogFormat: "JSON" });
      await updateAndRead(r, functionName, {
        LogFormat: "JSON",
        ApplicationLogLevel: "INFO",
        SystemLogLevel: "INFO",
        LogGroup: "cool_lambda",
      });
    },
  ),
  replayed(
    "test_lambda_api",
    "TestLoggingConfig::test_advanced_logging_configuration_format_switch",
    async (r) => {
      const functionName = `fn-${shortUid()}`;
      await createAndRead(r, functionName);
      await updateAndRead(r, functionName, { LogFormat: "JSON" });
      await updateAndRead(r, functionName, { LogFormat: "Text" }, "_v2");
    },
  ),
  ...partialConfigs.map((config, i) =>
    replayed(
      "test_lambda_api",
      `TestLoggingConfig::test_function_partial_advanced_logging_configuration_update[partial_config${i}]`,
      async (r) => {
        const functionName = `fn-${shortUid()}`;
        await createAndRead(r, functionName);
        await updateAndRead(r, functionName, config);
      },
    ),
  ),
];
