/**
 * @module logs
 * Log events, in CloudWatch Logs' model (groups, streams, events): where functions' output goes,
 * and the CloudWatch Logs calls that read it back (FilterLogEvents, GetLogEvents,
 * DescribeLogGroups, DescribeLogStreams).
 *
 * Invariant: an invocation's lines are written in one transaction, so a reader never sees half of
 * an invocation's output.
 */

export { logMigrations } from "./log-schema.js";
export {
  appendLogEvents,
  flushLogEvents,
  type LogScope,
  logCommitDelayMs,
  purgeLogEvents,
} from "./log-store.js";
export { createLogsService } from "./logs-service.js";
export { logsSubsystem } from "./subsystem.js";
