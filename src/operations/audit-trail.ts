/**
 * The audit trail in the store: a mutation's record is appended in the mutation's own transaction;
 * read-only records gather for a few milliseconds and commit together after their answers, as
 * function logs do (a crash can lose the last reads, never a change). The group commit is written
 * behind (`Store.writeBehind`), so on SQLite its inserts and sync run on a thread of their own.
 *
 * A row keeps a call's facts (`CallFacts`), not its CloudTrail record: the columns hold what
 * lookups filter on, `facts` the rest as a short JSON array, and the record is built at lookup.
 * Rows written before migration 702 hold the whole record in `record` and no facts; they are read
 * as they were written.
 */
import type { ResourceRef } from "../protocol/index.js";
import type { SqlExecutor, SqlValue, Statement, Store } from "../store/index.js";
import { type CallFacts, type CloudTrailRecord, recordOf } from "./cloudtrail-record.js";

const columns =
  "event_id, event_time, account_id, region, event_source, event_name, read_only, management, access_key_id, username, resources, record, facts";
/** Rows per INSERT: one statement carries many rows, so a batch costs few calls into SQLite. */
const rowsPerStatement = 32;
const insertFor = (rows: number) =>
  `INSERT INTO audit_events (${columns}) VALUES ${Array.from({ length: rows }, () => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`;
const fullInsert = insertFor(rowsPerStatement);

/** The form of the `facts` array this version writes; its first element. */
const factsVersion = 1;

/**
 * The facts no column holds, as a JSON array: `[version, principalId, callerArn, invokedBy,
 * sourceIPAddress, userAgent, requestId, errorCode, errorMessage, requestParameters,
 * responseElements, resource ARNs]`.
 */
function factsText(facts: CallFacts): string {
  const { resources } = facts;
  let arns: string[] | null = null;
  if (resources.length > 0) {
    arns = [];
    for (const r of resources) arns.push(r.arn);
  }
  return JSON.stringify([
    factsVersion,
    facts.principalId,
    facts.callerArn,
    facts.invokedBy ?? null,
    facts.sourceIPAddress,
    facts.userAgent,
    facts.requestId,
    facts.errorCode ?? null,
    facts.errorMessage ?? null,
    facts.requestParameters,
    facts.responseElements,
    arns,
  ]);
}

function resourcesText(resources: readonly ResourceRef[]): string {
  return resources.length === 0
    ? "[]"
    : JSON.stringify(resources.map((r) => ({ type: r.type, name: r.name })));
}

/**
 * The statements that append `entries`. Records are keyed by their event ids, which grow with time
 * (see `time-ordered-uuid.ts`), so the table's one key is also its order, and an insert lands at
 * the end of it.
 */
function auditInserts(entries: readonly CallFacts[]): Statement[] {
  const statements: Statement[] = [];
  for (let start = 0; start < entries.length; start += rowsPerStatement) {
    const end = Math.min(entries.length, start + rowsPerStatement);
    const params: SqlValue[] = [];
    for (let i = start; i < end; i++) {
      const facts = entries[i]!;
      params.push(
        facts.eventId,
        facts.timeMs,
        facts.accountId,
        facts.region,
        facts.eventSource,
        facts.eventName,
        facts.readOnly ? 1 : 0,
        facts.management ? 1 : 0,
        facts.accessKeyId,
        facts.userName ?? null,
        resourcesText(facts.resources),
        "",
        factsText(facts),
      );
    }
    const rows = end - start;
    statements.push({ sql: rows === rowsPerStatement ? fullInsert : insertFor(rows), params });
  }
  return statements;
}

/** Appends records in `tx`, the transaction of the change they record. */
export async function appendAuditEntries(tx: SqlExecutor, entries: readonly CallFacts[]): Promise<void> {
  for (const { sql, params } of auditInserts(entries)) await tx.run(sql, params);
}

/**
 * How long read-only records gather before they are committed together: a busy edge pays one
 * commit for hundreds of reads, and a lookup soon after sees them (a lookup, and shutdown, commit
 * what is waiting first anyway).
 */
export const auditCommitDelayMs = 20;

/** Read-only records waiting for their group commit, per store. */
export class AuditBatcher {
  private waiting: CallFacts[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Queues a record to commit within `auditCommitDelayMs`. */
  add(facts: CallFacts): void {
    this.waiting.push(facts);
    this.timer ??= setTimeout(() => void this.flush(), auditCommitDelayMs);
  }

  /** Commits everything queued so far; a lookup calls it first so that it sees its own reads. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length > 0) {
      // Written behind: off the event loop where the engine can, committed in the order handed over.
      this.writing = this.store.writeBehind(auditInserts(batch)).catch(this.onError);
    }
    return this.writing;
  }
}

/** Deletes records older than the retention period; the store refuses to delete younger ones. */
export async function purgeAuditEntries(
  db: SqlExecutor,
  retentionMs: number,
  nowMs: number,
): Promise<number> {
  await db.run("UPDATE audit_settings SET retention_ms = ? WHERE id = 1", [retentionMs]);
  const { changes } = await db.run("DELETE FROM audit_events WHERE event_time < ?", [nowMs - retentionMs]);
  return changes;
}

/** Sets how long records are kept; the store's delete guard reads it. */
export async function setAuditRetention(db: SqlExecutor, retentionMs: number): Promise<void> {
  await db.run("UPDATE audit_settings SET retention_ms = ? WHERE id = 1", [retentionMs]);
}

export type LookupKey =
  | "EventId"
  | "EventName"
  | "ReadOnly"
  | "Username"
  | "ResourceType"
  | "ResourceName"
  | "EventSource"
  | "AccessKeyId";

export interface AuditQuery {
  readonly accountId: string;
  readonly region: string;
  readonly attribute?: { readonly key: LookupKey; readonly value: string };
  readonly startMs: number;
  readonly endMs: number;
  /** Newest first; a page continues strictly below this event id. */
  readonly before?: string;
  readonly limit: number;
}

export interface AuditRow {
  readonly record: CloudTrailRecord;
  readonly eventTimeMs: number;
  readonly resources: ReadonlyArray<{ type: string; name: string }>;
}

interface Row {
  event_id: string;
  event_time: number | bigint | string;
  account_id: string;
  region: string;
  event_source: string;
  event_name: string;
  read_only: number | bigint | string;
  management: number | bigint | string;
  access_key_id: string;
  username: string | null;
  resources: string;
  record: string;
  facts: string | null;
}

/** A row's CloudTrail record: built from its facts, or as a row from before migration 702 kept it. */
function recordOfRow(row: Row, resources: AuditRow["resources"]): CloudTrailRecord {
  if (row.facts === null) return JSON.parse(row.record) as CloudTrailRecord;
  const [
    ,
    principalId,
    callerArn,
    invokedBy,
    sourceIPAddress,
    userAgent,
    requestId,
    errorCode,
    errorMessage,
    requestParameters,
    responseElements,
    arns,
  ] = JSON.parse(row.facts) as [
    number,
    string,
    string,
    string | null,
    string,
    string,
    string,
    string | null,
    string | null,
    unknown,
    unknown,
    string[] | null,
  ];
  return recordOf({
    eventId: row.event_id,
    timeMs: Number(row.event_time),
    accountId: row.account_id,
    region: row.region,
    eventSource: row.event_source,
    eventName: row.event_name,
    readOnly: Number(row.read_only) === 1,
    management: Number(row.management) === 1,
    principalId,
    callerArn,
    accessKeyId: row.access_key_id,
    userName: row.username ?? undefined,
    invokedBy: invokedBy ?? undefined,
    sourceIPAddress,
    userAgent,
    requestId,
    errorCode: errorCode ?? undefined,
    errorMessage: errorMessage ?? undefined,
    requestParameters,
    responseElements,
    resources: resources.map((r, i) => ({ type: r.type, name: r.name, arn: arns?.[i] ?? "" })),
  });
}

/** Every row's record, newest first, data events included; for tests and diagnostics. */
export async function allAuditRecords(db: SqlExecutor): Promise<CloudTrailRecord[]> {
  const rows = await db.all<Row>(`SELECT ${columns} FROM audit_events ORDER BY event_id DESC`);
  return rows.map((row) => recordOfRow(row, JSON.parse(row.resources) as AuditRow["resources"]));
}

const columnFor: Record<Exclude<LookupKey, "ResourceType" | "ResourceName" | "ReadOnly">, string> = {
  EventId: "event_id",
  EventName: "event_name",
  Username: "username",
  EventSource: "event_source",
  AccessKeyId: "access_key_id",
};

/** How many rows a lookup reads at a time while it filters by resource. */
const scanBatch = 200;

/** Management events of one account and region, newest first, filtered by one lookup attribute. */
export async function queryAuditEntries(db: SqlExecutor, query: AuditQuery): Promise<AuditRow[]> {
  const where = ["account_id = ?", "region = ?", "management = 1", "event_time >= ?", "event_time <= ?"];
  const params: Array<string | number> = [query.accountId, query.region, query.startMs, query.endMs];
  const attribute = query.attribute;
  // Resources are matched after reading: a JSON column has no portable index.
  const byResource =
    attribute?.key === "ResourceType" || attribute?.key === "ResourceName" ? attribute : undefined;
  if (attribute && !byResource) {
    if (attribute.key === "ReadOnly") {
      where.push("read_only = ?");
      params.push(attribute.value === "true" ? 1 : 0);
    } else {
      where.push(`${columnFor[attribute.key as keyof typeof columnFor]} = ?`);
      params.push(attribute.value);
    }
  }
  const rows: AuditRow[] = [];
  let before = query.before;
  for (;;) {
    const batch = await db.all<Row>(
      `SELECT ${columns} FROM audit_events
       WHERE ${[...where, ...(before !== undefined ? ["event_id < ?"] : [])].join(" AND ")}
       ORDER BY event_id DESC LIMIT ?`,
      [...params, ...(before !== undefined ? [before] : []), scanBatch],
    );
    for (const row of batch) {
      const resources = JSON.parse(row.resources) as AuditRow["resources"];
      if (
        byResource &&
        !resources.some((r) => (byResource.key === "ResourceType" ? r.type : r.name) === byResource.value)
      )
        continue;
      rows.push({
        eventTimeMs: Number(row.event_time),
        resources,
        record: recordOfRow(row, resources),
      });
      if (rows.length === query.limit) return rows;
    }
    if (batch.length < scanBatch) return rows;
    before = batch[batch.length - 1]!.event_id;
  }
}
