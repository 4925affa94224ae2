/** What an execution environment needs to know of a function, from its stored configuration. */
import type { FunctionSpec } from "./environment-pool.js";
import type { FunctionRecord } from "./function-records.js";

export function specOf(record: FunctionRecord): FunctionSpec {
  return {
    name: record.name,
    arn: record.arn,
    version: "$LATEST",
    runtime: record.runtime,
    handler: record.handler,
    codeDir: record.codeDir,
    codeSha256: record.codeSha256,
    timeoutSeconds: record.timeout,
    memoryMb: record.memorySize,
    environment: record.environment,
  };
}
