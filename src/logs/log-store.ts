/**
 * Log events as the store holds them: appended in batches (each invocation's lines whole, in one
 * transaction; appends that arrive while a commit is on disk share the next one), read back in
 * time order, and purged after the retention period.
 */

import { randomBytes } from "node:crypto";
import type { SqlExecutor, SqlValue, Statement, Store } from "../store/index.js";
import type { FilterTerms } from "./filter-pattern.js";

export interface LogScope {
  readonly accountId: string;
  readonly region: string;
}

export interface LogEvent {
  readonly eventId: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly message: string;
}

/**
 * This process's mark in the ids it makes, so that two nodes writing to one database in the same
 * millisecond never make the same id (their pids may well be equal: in containers Jeff is often 1).
 */
const idMark = randomBytes(6).toString("hex");

/** Sortable, unique ids: the ingestion time, then a counter for events in the same millisecond. */
let lastMs = 0;
let counter = 0;
function nextEventId(now: number): string {
  if (now === lastMs) counter++;
  else {
    lastMs = now;
    counter = 0;
  }
  return `${String(now).padStart(15, "0")}-${String(counter).padStart(6, "0")}-${idMark}`;
}

interface PendingAppend {
  readonly scope: LogScope;
  readonly logGroup: string;
  readonly logStream: string;
  readonly lines: ReadonlyArray<{ timestamp: number; message: string }>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  /**
   * Its rows' event ids and ingestion time, fixed when it is first written, so that writing it
   * again after a commit whose outcome was lost (the connection closing before the answer) finds
   * the rows already there rather than adding them twice.
   */
  written?: { readonly ids: readonly string[]; readonly at: number };
}

interface CommitState {
  writing: boolean;
  waiting: PendingAppend[];
  timer?: NodeJS.Timeout;
  /** The commit in progress, if any. */
  current?: Promise<void>;
  /** Appends made, and appends whose commit has ended (written or failed). */
  appended: number;
  settled: number;
}

/** Per store: appends waiting for the next commit, and whether one is scheduled or in progress. */
const commits = new WeakMap<Store, CommitState>();

/** How long appends gather before they are committed together. */
export const logCommitDelayMs = 20;

/**
 * Appends one batch of lines (one invocation's) to a stream; resolves once it is durable.
 *
 * Group commit: appends gather for `logCommitDelayMs`, and while a commit is in progress, and go
 * into one commit together (under load, many invocations' lines per fsync), written behind the
 * event loop (on SQLite, its inserts and sync run on a thread of their own). Each batch is still
 * written whole; if a shared commit fails, each batch is tried again on its own, so one bad batch
 * does not fail the others, and with the same event ids, so a commit that landed though its
 * answer was lost is not written twice.
 * Readers call `flushLogEvents` first, so they see every append made before they asked.
 */
export function appendLogEvents(
  store: Store,
  scope: LogScope,
  logGroup: string,
  logStream: string,
  lines: ReadonlyArray<{ timestamp: number; message: string }>,
): Promise<void> {
  if (lines.length === 0) return Promise.resolve();
  let state = commits.get(store);
  if (!state) {
    state = { writing: false, waiting: [], appended: 0, settled: 0 };
    commits.set(store, state);
  }
  const queue = state;
  const done = new Promise<void>((resolve, reject) => {
    queue.waiting.push({ scope, logGroup, logStream, lines, resolve, reject });
  });
  queue.appended++;
  if (!queue.writing) {
    queue.writing = true;
    queue.timer = setTimeout(() => startCommit(store, queue), logCommitDelayMs);
  }
  return done;
}

/**
 * Commits every append made before the call (after a commit in progress, if any); resolves once
 * they are durable. Appends made later are not waited for, so a reader under steady load waits
 * for at most two commits.
 */
export async function flushLogEvents(store: Store): Promise<void> {
  const state = commits.get(store);
  if (!state) return;
  const target = state.appended;
  while (state.settled < target) {
    if (state.current === undefined) startCommit(store, state);
    await state.current;
  }
}

function startCommit(store: Store, state: CommitState): void {
  clearTimeout(state.timer);
  state.timer = undefined;
  state.current = writeWaiting(store, state).finally(() => {
    state.current = undefined;
    // Appends that came while this commit was on disk go together into the next one.
    if (state.waiting.length > 0) state.timer = setTimeout(() => startCommit(store, state), logCommitDelayMs);
    else state.writing = false;
  });
}

async function writeWaiting(store: Store, state: CommitState): Promise<void> {
  const group = state.waiting;
  state.waiting = [];
  try {
    await insertAppends(store, group);
    for (const append of group) append.resolve();
  } catch (error) {
    if (group.length === 1) group[0]?.reject(error);
    else {
      for (const append of group) await insertAppends(store, [append]).then(append.resolve, append.reject);
    }
  } finally {
    state.settled += group.length;
  }
}

const logColumns = "event_id, account_id, region, log_group, log_stream, timestamp, ingestion_time, message";
/** Rows per INSERT: an invocation's lines, and many invocations', cost few calls into the engine. */
const rowsPerInsert = 32;
const insertFor = (rows: number) =>
  `INSERT INTO log_events (${logColumns}) VALUES ${Array.from({ length: rows }, () => "(?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}` +
  " ON CONFLICT (event_id) DO NOTHING";
const fullInsert = insertFor(rowsPerInsert);

/**
 * A message as both engines can keep it: PostgreSQL's text holds no NUL, so a function that prints
 * one would lose its invocation's every line there. Each NUL becomes U+FFFD, the character that
 * stands for what could not be kept, on both engines alike.
 */
function storableMessage(message: string): string {
  return message.includes("\0") ? message.replaceAll("\0", "\uFFFD") : message;
}

/**
 * Writes the appends in one batch behind the event loop (`Store.writeBehind`: on SQLite a
 * connection of its own in a worker thread does the inserts and the sync to disk).
 */
async function insertAppends(store: Store, appends: readonly PendingAppend[]): Promise<void> {
  const now = Date.now();
  const statements: Statement[] = [];
  let params: SqlValue[] = [];
  let rows = 0;
  for (const append of appends) {
    const { scope, logGroup, logStream, lines } = append;
    append.written ??= { ids: lines.map(() => nextEventId(now)), at: now };
    const { ids, at } = append.written;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as { timestamp: number; message: string };
      params.push(
        ids[i] as string,
        scope.accountId,
        scope.region,
        logGroup,
        logStream,
        line.timestamp,
        at,
        storableMessage(line.message),
      );
      if (++rows === rowsPerInsert) {
        statements.push({ sql: fullInsert, params });
        params = [];
        rows = 0;
      }
    }
  }
  if (rows > 0) statements.push({ sql: insertFor(rows), params });
  return store.writeBehind(statements);
}

export interface LogQuery {
  readonly logGroup: string;
  readonly logStreams?: readonly string[];
  readonly startTime?: number;
  readonly endTime?: number;
  /** Only events whose message has these terms (a filter pattern, `filter-pattern.ts`). */
  readonly terms?: FilterTerms;
  /** Continue after this event id. */
  readonly after?: string;
  readonly limit: number;
}

interface LogRow {
  event_id: string;
  log_group: string;
  log_stream: string;
  timestamp: number;
  ingestion_time: number;
  message: string;
}

export async function queryLogEvents(db: SqlExecutor, scope: LogScope, query: LogQuery): Promise<LogEvent[]> {
  const where = ["account_id = ?", "region = ?", "log_group = ?"];
  const params: Array<string | number> = [scope.accountId, scope.region, query.logGroup];
  if (query.startTime !== undefined) {
    where.push("timestamp >= ?");
    params.push(query.startTime);
  }
  if (query.endTime !== undefined) {
    where.push("timestamp <= ?");
    params.push(query.endTime);
  }
  if (query.after !== undefined) {
    where.push("event_id > ?");
    params.push(query.after);
  }
  if (query.logStreams && query.logStreams.length > 0) {
    where.push(`log_stream IN (${query.logStreams.map(() => "?").join(", ")})`);
    params.push(...query.logStreams);
  }
  if (query.terms) {
    // Case-sensitive, as CloudWatch's filter is, in SQL both engines speak (LIKE ignores case on
    // SQLite, and INSTR is SQLite's alone): removing the text shortens a message that contains it.
    const contains = "LENGTH(REPLACE(message, ?, '')) < LENGTH(message)";
    const { all, any, none } = query.terms;
    for (const term of all) {
      where.push(contains);
      params.push(term);
    }
    if (any.length > 0) {
      where.push(`(${any.map(() => contains).join(" OR ")})`);
      params.push(...any);
    }
    for (const term of none) {
      where.push(`NOT ${contains}`);
      params.push(term);
    }
  }
  const rows = await db.all<LogRow>(
    `SELECT * FROM log_events WHERE ${where.join(" AND ")} ORDER BY event_id LIMIT ?`,
    [...params, query.limit],
  );
  return rows.map((row) => ({
    eventId: row.event_id,
    logGroup: row.log_group,
    logStream: row.log_stream,
    timestamp: Number(row.timestamp),
    ingestionTime: Number(row.ingestion_time),
    message: row.message,
  }));
}

export async function logGroups(
  db: SqlExecutor,
  scope: LogScope,
  prefix: string,
): Promise<Array<{ name: string; bytes: number; first: number }>> {
  const rows = await db.all<{ log_group: string; bytes: number; first: number }>(
    `SELECT log_group, SUM(LENGTH(message)) AS bytes, MIN(ingestion_time) AS first FROM log_events
     WHERE account_id = ? AND region = ? AND log_group >= ? GROUP BY log_group ORDER BY log_group`,
    [scope.accountId, scope.region, prefix],
  );
  return rows
    .filter((r) => r.log_group.startsWith(prefix))
    .map((r) => ({ name: r.log_group, bytes: Number(r.bytes), first: Number(r.first) }));
}

export async function logStreams(
  db: SqlExecutor,
  scope: LogScope,
  logGroup: string,
): Promise<Array<{ name: string; first: number; last: number; lastIngestion: number }>> {
  const rows = await db.all<{ log_stream: string; first: number; last: number; ingestion: number }>(
    `SELECT log_stream, MIN(timestamp) AS first, MAX(timestamp) AS last, MAX(ingestion_time) AS ingestion FROM log_events
     WHERE account_id = ? AND region = ? AND log_group = ? GROUP BY log_stream ORDER BY log_stream`,
    [scope.accountId, scope.region, logGroup],
  );
  return rows.map((r) => ({
    name: r.log_stream,
    first: Number(r.first),
    last: Number(r.last),
    lastIngestion: Number(r.ingestion),
  }));
}

/** Drops events older than the retention period. */
export async function purgeLogEvents(db: SqlExecutor, olderThan: number): Promise<number> {
  const { changes } = await db.run("DELETE FROM log_events WHERE ingestion_time < ?", [olderThan]);
  return changes;
}
