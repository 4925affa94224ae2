/** Each invocation's output goes to the function's log group, `/aws/lambda/NAME`, as Lambda's does. */
import { appendLogEvents, type LogScope } from "../logs/index.js";
import type { Store } from "../store/index.js";
import type { InvocationResult } from "./environment-pool.js";
import type { FunctionRecord } from "./function-records.js";

export function logGroupOf(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** Writes the invocation's lines (START … REPORT) as one batch. */
export async function recordInvocationLog(
  store: Store,
  scope: LogScope,
  record: FunctionRecord,
  result: InvocationResult,
): Promise<void> {
  const now = Date.now();
  const lines = result.log
    .split("\n")
    .filter((line) => line.length > 0)
    .map((message) => ({ timestamp: now, message }));
  await appendLogEvents(store, scope, logGroupOf(record.name), result.logStreamName, lines);
}
