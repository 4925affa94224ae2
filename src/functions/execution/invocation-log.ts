/** Each invocation's output goes to the function's log group, `/aws/lambda/NAME`, as Lambda's does. */
import { appendLogEvents, type LogScope } from "../../logs/index.js";
import type { Logger } from "../../ops/index.js";
import type { Store } from "../../store/index.js";
import { type FunctionRecord, runtimeVersionArn } from "../records/index.js";
import type { InvocationResult } from "./environment-pool.js";

export function logGroupOf(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/**
 * Hands the invocation's lines (START … REPORT) to the log store as one batch, without waiting for
 * the commit: as on Lambda, logs arrive a moment after the invocation (here within the log
 * store's commit delay), and the caller's answer does not wait for a disk write. Readers of the
 * logs API see them, since they flush first; a failed write is logged, never the invocation's.
 */
export function recordInvocationLog(
  store: Store,
  scope: LogScope,
  record: FunctionRecord,
  result: InvocationResult,
  logger: Logger | undefined,
): void {
  const now = Date.now();
  // Each line an event with its newline kept (`START …\n`, `multi\n`), a record whole, as on Lambda.
  const events =
    result.initDurationMs === undefined ? result.logEvents : [initStartLine(record), ...result.logEvents];
  const lines = events.map((message) => ({ timestamp: now, message }));
  appendLogEvents(store, scope, logGroupOf(record.name), result.logStreamName, lines).catch(
    (error: unknown) =>
      logger?.error("could not write an invocation's log lines", { function: record.name, error }),
  );
}

/**
 * The line Lambda writes to the log group (not the log tail) when an environment starts:
 * `INIT_START Runtime Version: python:3.13.v1\tRuntime Version ARN: …`, naming the runtime version
 * the configuration's RuntimeVersionConfig names.
 */
function initStartLine(record: FunctionRecord): string {
  const match = /^([a-z]+)(.*?)(\.x)?$/.exec(record.runtime);
  const family = match?.[1] ?? record.runtime;
  const release = (match?.[2] ?? "").replace(/^\./, "");
  const name = release ? `${family}:${release}` : family;
  const arn = runtimeVersionArn(record.arn, record.runtime, record.options.architecture);
  return `INIT_START Runtime Version: ${name}.v1\tRuntime Version ARN: ${arn}\n`;
}
