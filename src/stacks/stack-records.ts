/**
 * Stacks, their resources and their events as the store holds them. Every state change the engine
 * makes is written here first, so a restart knows exactly what exists.
 */
import { randomUUID } from "node:crypto";
import { appendChangeEvents } from "../operations/index.js";
import type { SqlExecutor } from "../store/index.js";
import type { StackCaller } from "../templates/index.js";
import { type RecordedStackEvent, stackChangeEvent } from "./stack-change-events.js";

export type StackStatus =
  | "CREATE_IN_PROGRESS"
  | "CREATE_COMPLETE"
  | "CREATE_FAILED"
  | "ROLLBACK_IN_PROGRESS"
  | "ROLLBACK_COMPLETE"
  | "ROLLBACK_FAILED"
  | "UPDATE_IN_PROGRESS"
  | "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
  | "UPDATE_COMPLETE"
  | "UPDATE_FAILED"
  | "UPDATE_ROLLBACK_IN_PROGRESS"
  | "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"
  | "UPDATE_ROLLBACK_COMPLETE"
  | "UPDATE_ROLLBACK_FAILED"
  | "DELETE_IN_PROGRESS"
  | "DELETE_COMPLETE"
  | "DELETE_FAILED";

export type ResourceStatus =
  | "CREATE_IN_PROGRESS"
  | "CREATE_COMPLETE"
  | "CREATE_FAILED"
  | "UPDATE_IN_PROGRESS"
  | "UPDATE_COMPLETE"
  | "UPDATE_FAILED"
  | "DELETE_IN_PROGRESS"
  | "DELETE_COMPLETE"
  | "DELETE_FAILED";

export interface StackOutput {
  readonly OutputKey: string;
  readonly OutputValue: string;
  readonly Description?: string;
  readonly ExportName?: string;
}

export interface StackRecord {
  readonly stackId: string;
  readonly accountId: string;
  readonly region: string;
  readonly stackName: string;
  readonly status: StackStatus;
  readonly statusReason?: string;
  readonly description?: string;
  readonly templateBody: string;
  readonly parameters: Record<string, string>;
  /** Parameters declared `NoEcho`: described as `****`. */
  readonly noEcho: readonly string[];
  readonly outputs: StackOutput[];
  readonly createdAt: Date;
  readonly updatedAt?: Date;
  readonly deletedAt?: Date;
  /** Who started the latest operation. */
  readonly caller?: StackCaller;
  /**
   * The queue job that runs the latest operation: it alone may work on the stack. Absent on a stack
   * whose operation an older Jeff started, before operations were jobs.
   */
  readonly operationJob?: string;
}

/**
 * What the engine remembers of a resource it touched in the running update, to undo it: either it
 * was created by this update, or it had this earlier state (same physical id: updated in place;
 * another: replaced, and the old one still exists until cleanup).
 */
export type PreviousResourceState =
  | { readonly kind: "created" }
  | {
      readonly kind: "changed";
      readonly physicalId: string;
      readonly type: string;
      readonly properties: Record<string, unknown>;
      readonly attributes: Record<string, unknown>;
    };

export interface ResourceRecord {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId?: string;
  readonly status: ResourceStatus;
  readonly statusReason?: string;
  readonly properties?: Record<string, unknown>;
  readonly attributes: Record<string, unknown>;
  /** Set while an update or replacement of this resource may still need undoing. */
  readonly previous?: PreviousResourceState;
  /** Order of first creation within the stack: deletes go in the reverse of it. */
  readonly createdSeq: number;
  readonly updatedAt: Date;
}

export interface StackEvent {
  readonly eventId: string;
  readonly stackId: string;
  readonly stackName: string;
  readonly logicalId: string;
  readonly physicalId?: string;
  readonly resourceType: string;
  readonly status: string;
  readonly reason?: string;
  readonly timestamp: Date;
}

interface StackRow {
  stack_id: string;
  account_id: string;
  region: string;
  stack_name: string;
  status: StackStatus;
  status_reason: string | null;
  description: string | null;
  template_body: string;
  parameters: string;
  no_echo: string;
  outputs: string;
  created_at: string;
  updated_at: string | null;
  deleted_at: string | null;
  caller: string | null;
  operation_job: string | null;
}

interface ResourceRow {
  logical_id: string;
  type: string;
  physical_id: string | null;
  status: ResourceStatus;
  status_reason: string | null;
  properties: string | null;
  attributes: string | null;
  previous: string | null;
  created_seq: number;
  updated_at: string;
}

function toStack(row: StackRow): StackRecord {
  return {
    stackId: row.stack_id,
    accountId: row.account_id,
    region: row.region,
    stackName: row.stack_name,
    status: row.status,
    ...(row.status_reason ? { statusReason: row.status_reason } : {}),
    ...(row.description ? { description: row.description } : {}),
    templateBody: row.template_body,
    parameters: JSON.parse(row.parameters) as Record<string, string>,
    noEcho: JSON.parse(row.no_echo) as string[],
    outputs: JSON.parse(row.outputs) as StackOutput[],
    createdAt: new Date(row.created_at),
    ...(row.updated_at ? { updatedAt: new Date(row.updated_at) } : {}),
    ...(row.deleted_at ? { deletedAt: new Date(row.deleted_at) } : {}),
    ...(row.caller ? { caller: JSON.parse(row.caller) as StackCaller } : {}),
    ...(row.operation_job ? { operationJob: row.operation_job } : {}),
  };
}

function toResource(row: ResourceRow): ResourceRecord {
  return {
    logicalId: row.logical_id,
    type: row.type,
    ...(row.physical_id ? { physicalId: row.physical_id } : {}),
    status: row.status,
    ...(row.status_reason ? { statusReason: row.status_reason } : {}),
    ...(row.properties ? { properties: JSON.parse(row.properties) as Record<string, unknown> } : {}),
    attributes: row.attributes ? (JSON.parse(row.attributes) as Record<string, unknown>) : {},
    ...(row.previous ? { previous: JSON.parse(row.previous) as PreviousResourceState } : {}),
    createdSeq: Number(row.created_seq),
    updatedAt: new Date(row.updated_at),
  };
}

export interface StackScope {
  readonly accountId: string;
  readonly region: string;
  /** Who started the operation: resources are created, updated and deleted as this principal. */
  readonly caller?: StackCaller;
}

/** The live stack with this name or stack id (ARN); deleted stacks are found by id only, as on AWS. */
export async function findStack(
  db: SqlExecutor,
  scope: StackScope,
  nameOrId: string,
): Promise<StackRecord | undefined> {
  const row = nameOrId.startsWith("arn:")
    ? await db.get<StackRow>("SELECT * FROM cfn_stacks WHERE stack_id = ? AND account_id = ?", [
        nameOrId,
        scope.accountId,
      ])
    : await db.get<StackRow>(
        "SELECT * FROM cfn_stacks WHERE account_id = ? AND region = ? AND stack_name = ? AND deleted_at IS NULL",
        [scope.accountId, scope.region, nameOrId],
      );
  return row ? toStack(row) : undefined;
}

export async function listStacks(
  db: SqlExecutor,
  scope: StackScope,
  includeDeleted: boolean,
): Promise<StackRecord[]> {
  const rows = await db.all<StackRow>(
    `SELECT * FROM cfn_stacks WHERE account_id = ? AND region = ? ${includeDeleted ? "" : "AND deleted_at IS NULL"} ORDER BY created_at DESC`,
    [scope.accountId, scope.region],
  );
  return rows.map(toStack);
}

/** A stack by its id, whatever its account: for the job that runs its operation. */
export async function stackById(db: SqlExecutor, stackId: string): Promise<StackRecord | undefined> {
  const row = await db.get<StackRow>("SELECT * FROM cfn_stacks WHERE stack_id = ?", [stackId]);
  return row ? toStack(row) : undefined;
}

/**
 * Stacks an older Jeff left mid-operation, from before operations were queue jobs: in progress,
 * with no job to finish them.
 */
export async function stacksInProgressWithoutJob(db: SqlExecutor): Promise<StackRecord[]> {
  const rows = await db.all<StackRow>(
    "SELECT * FROM cfn_stacks WHERE status LIKE '%_IN_PROGRESS' AND deleted_at IS NULL AND operation_job IS NULL",
  );
  return rows.map(toStack);
}

/** Hands the stack's operation to `jobId`, not yet begun; in the transaction that enqueues the job. */
export async function setOperationJob(db: SqlExecutor, stackId: string, jobId: string): Promise<void> {
  await db.run("UPDATE cfn_stacks SET operation_job = ?, operation_began_at = NULL WHERE stack_id = ?", [
    jobId,
    stackId,
  ]);
}

/**
 * Records that `jobId` begins the stack's operation. True the first time; false when that job
 * began it before (this run resumes one that was interrupted) or the operation is not its own.
 */
export async function beginOperation(db: SqlExecutor, stackId: string, jobId: string): Promise<boolean> {
  const { changes } = await db.run(
    `UPDATE cfn_stacks SET operation_began_at = ?
     WHERE stack_id = ? AND operation_job = ? AND operation_began_at IS NULL`,
    [new Date().toISOString(), stackId, jobId],
  );
  return changes === 1;
}

export async function insertStack(
  db: SqlExecutor,
  stack: Pick<
    StackRecord,
    "stackId" | "accountId" | "region" | "stackName" | "status" | "templateBody" | "parameters" | "noEcho"
  > & {
    description?: string;
    caller?: StackCaller;
  },
): Promise<void> {
  await db.run(
    `INSERT INTO cfn_stacks (stack_id, account_id, region, stack_name, status, description, template_body, parameters, no_echo, outputs, created_at, caller)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?)`,
    [
      stack.stackId,
      stack.accountId,
      stack.region,
      stack.stackName,
      stack.status,
      stack.description ?? null,
      stack.templateBody,
      JSON.stringify(stack.parameters),
      JSON.stringify(stack.noEcho),
      new Date().toISOString(),
      stack.caller ? JSON.stringify(stack.caller) : null,
    ],
  );
}

/** Records who started the operation now in progress, so that a restart acts as them too. */
export async function setStackCaller(db: SqlExecutor, stackId: string, caller: StackCaller | undefined) {
  if (caller)
    await db.run("UPDATE cfn_stacks SET caller = ? WHERE stack_id = ?", [JSON.stringify(caller), stackId]);
}

export async function setStackStatus(
  db: SqlExecutor,
  stackId: string,
  status: StackStatus,
  reason?: string,
  changes: {
    templateBody?: string;
    parameters?: Record<string, string>;
    noEcho?: readonly string[];
    description?: string;
    outputs?: StackOutput[];
  } = {},
): Promise<void> {
  const now = new Date().toISOString();
  await db.run(
    `UPDATE cfn_stacks SET status = ?, status_reason = ?, updated_at = ?,
       template_body = COALESCE(?, template_body), parameters = COALESCE(?, parameters),
       no_echo = COALESCE(?, no_echo),
       description = COALESCE(?, description), outputs = COALESCE(?, outputs),
       deleted_at = ?
     WHERE stack_id = ?`,
    [
      status,
      reason ?? null,
      now,
      changes.templateBody ?? null,
      changes.parameters ? JSON.stringify(changes.parameters) : null,
      changes.noEcho ? JSON.stringify(changes.noEcho) : null,
      changes.description ?? null,
      changes.outputs ? JSON.stringify(changes.outputs) : null,
      status === "DELETE_COMPLETE" ? now : null,
      stackId,
    ],
  );
}

/** The stack's resources, newest-created first (the order deletes go in). */
export async function listResources(db: SqlExecutor, stackId: string): Promise<ResourceRecord[]> {
  const rows = await db.all<ResourceRow>(
    "SELECT * FROM cfn_stack_resources WHERE stack_id = ? ORDER BY created_seq DESC",
    [stackId],
  );
  return rows.map(toResource);
}

export type ResourceUpdate = Omit<ResourceRecord, "updatedAt" | "createdSeq">;

export async function saveResource(
  db: SqlExecutor,
  stackId: string,
  resource: ResourceUpdate,
): Promise<void> {
  const values = [
    resource.type,
    resource.physicalId ?? null,
    resource.status,
    resource.statusReason ?? null,
    resource.properties ? JSON.stringify(resource.properties) : null,
    JSON.stringify(resource.attributes),
    resource.previous ? JSON.stringify(resource.previous) : null,
    new Date().toISOString(),
  ];
  const { changes } = await db.run(
    `UPDATE cfn_stack_resources SET type = ?, physical_id = ?, status = ?, status_reason = ?, properties = ?, attributes = ?, previous = ?, updated_at = ?
     WHERE stack_id = ? AND logical_id = ?`,
    [...values, stackId, resource.logicalId],
  );
  if (changes === 0) {
    await db.run(
      `INSERT INTO cfn_stack_resources (type, physical_id, status, status_reason, properties, attributes, previous, updated_at, stack_id, logical_id, created_seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(created_seq), 0) + 1 FROM cfn_stack_resources WHERE stack_id = ?))`,
      [...values, stackId, resource.logicalId, stackId],
    );
  }
}

export async function removeResource(db: SqlExecutor, stackId: string, logicalId: string): Promise<void> {
  await db.run("DELETE FROM cfn_stack_resources WHERE stack_id = ? AND logical_id = ?", [stackId, logicalId]);
}

/**
 * Records a stack or resource status change in the stack's events, and CloudFormation's change
 * event for it in the outbox, through the same `db` (the caller's transaction): the two exist
 * together. Whoever commits it notifies the outbox's readers.
 */
export async function addEvent(db: SqlExecutor, event: RecordedStackEvent): Promise<void> {
  const time = new Date();
  const seq = await db.get<{ next: number }>(
    "SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM cfn_stack_events WHERE stack_id = ?",
    [event.stackId],
  );
  await db.run(
    `INSERT INTO cfn_stack_events (event_id, stack_id, seq, logical_id, physical_id, resource_type, status, reason, timestamp)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      randomUUID(),
      event.stackId,
      Number(seq?.next ?? 1),
      event.logicalId,
      event.physicalId ?? null,
      event.resourceType,
      event.status,
      event.reason ?? null,
      time.toISOString(),
    ],
  );
  await appendChangeEvents(db, [stackChangeEvent(event, time)]);
}

/** Events newest first, as DescribeStackEvents returns them. */
export async function listEvents(db: SqlExecutor, stack: StackRecord): Promise<StackEvent[]> {
  const rows = await db.all<{
    event_id: string;
    logical_id: string;
    physical_id: string | null;
    resource_type: string;
    status: string;
    reason: string | null;
    timestamp: string;
  }>("SELECT * FROM cfn_stack_events WHERE stack_id = ? ORDER BY seq DESC", [stack.stackId]);
  return rows.map((row) => ({
    eventId: row.event_id,
    stackId: stack.stackId,
    stackName: stack.stackName,
    logicalId: row.logical_id,
    ...(row.physical_id ? { physicalId: row.physical_id } : {}),
    resourceType: row.resource_type,
    status: row.status,
    ...(row.reason ? { reason: row.reason } : {}),
    timestamp: new Date(row.timestamp),
  }));
}

/**
 * Whether any stack that still exists names `text` in its template, or in a resource's current or
 * previous properties (what a rollback would apply). Functions ask it before removing a package.
 */
export async function stacksMention(db: SqlExecutor, text: string): Promise<boolean> {
  // LIKE keeps to the portable SQL subset; `%` and `_` in `text` could only widen the match,
  // which errs on the side of keeping.
  const pattern = `%${text}%`;
  const row = await db.get<{ found: number }>(
    `SELECT 1 AS found FROM cfn_stacks s WHERE s.deleted_at IS NULL AND (
       s.template_body LIKE ? OR EXISTS (
         SELECT 1 FROM cfn_stack_resources r WHERE r.stack_id = s.stack_id
           AND (COALESCE(r.properties, '') LIKE ? OR COALESCE(r.previous, '') LIKE ?)))
     LIMIT 1`,
    [pattern, pattern, pattern],
  );
  return row !== undefined;
}
