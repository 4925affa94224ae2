/** What an execution environment needs to know of a function, from its stored configuration. */
import type { FunctionSpec } from "./environment-pool.js";
import type { FunctionRecord } from "./function-records.js";
import { allowancesOf } from "./function-tags.js";

/** `version` is `$LATEST` or a published version's number: its environments are its own. */
export function specOf(record: FunctionRecord, version = "$LATEST"): FunctionSpec {
  return {
    name: record.name,
    arn: record.arn,
    version,
    runtime: record.runtime,
    handler: record.handler,
    codeDir: record.codeDir,
    codeSha256: record.codeSha256,
    timeoutSeconds: record.timeout,
    memoryMb: record.memorySize,
    environment: record.environment,
    allow: allowancesOf(record.tags),
  };
}
