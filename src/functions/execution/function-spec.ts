/**
 * What the environment pool needs to know of a function, from its stored configuration. Nothing
 * here widens the sandbox: what a function may do beyond it is the operator's setting, which the
 * pool applies by name, not anything a caller of the API can set.
 */

import type { FunctionRecord } from "../records/index.js";
import type { FunctionSpec } from "./environment-pool.js";

/** `version` is `$LATEST` or a published version's number: its environments are its own. */
export function specOf(record: FunctionRecord, version = "$LATEST"): FunctionSpec {
  const known = specsOfRecords.get(record);
  if (known?.version === version) return known;
  const spec = newSpec(record, version);
  specsOfRecords.set(record, spec);
  return spec;
}

/** The spec last made of each record: a function kept in memory between invocations brings the same one. */
const specsOfRecords = new WeakMap<FunctionRecord, FunctionSpec>();

function newSpec(record: FunctionRecord, version: string): FunctionSpec {
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
    ...(record.options.ephemeralStorageMb !== undefined ? { tmpMb: record.options.ephemeralStorageMb } : {}),
    environment: record.environment,
    role: record.role,
  };
}
