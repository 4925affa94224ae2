/**
 * @module operations
 * The one path every AWS call takes, whoever makes it: authorisation (a hook IAM fills in), the
 * handler, and CloudTrail's record of the call; the outbox of change events in EventBridge's
 * envelope; CloudTrail's `LookupEvents` over the audit trail; the `/_jeff/events` stream.
 *
 * Invariant: a mutation's audit record and change events commit in the same transaction as its
 * effect; no code path updates an audit record, and only the retention purge deletes one.
 */
export {
  type AuditQuery,
  purgeAuditEntries,
  queryAuditEntries,
  setAuditRetention,
} from "./audit-trail.js";
export { type Authoriser, CallPath, type CallPathOptions } from "./call-path.js";
export { type CloudTrailRecord, eventSourceOf, hiddenValue } from "./cloudtrail-record.js";
export { createCloudTrailService } from "./cloudtrail-service.js";
export { type OutboxStream, outboxStream } from "./event-stream.js";
export {
  callOnBehalf,
  callOperationForStack,
  type OnBehalfCall,
  type StackScope,
} from "./on-behalf.js";
export { auditRetentionDefaultMs, operationsMigrations } from "./operations-schema.js";
export {
  appendChangeEvents,
  type ChangeEvent,
  changeEvent,
  latestOutboxSeq,
  OutboxSignal,
  purgeOutbox,
  readOutbox,
} from "./outbox.js";
export { operationsSubsystem } from "./subsystem.js";
