/**
 * Archives as the store holds them: each keeps the events of its bus that match its pattern (all
 * of them without one), archived in the transaction that put them on the bus, and dropped after
 * its retention (0: kept for ever). An archive's changes move its bus's rules generation, so the
 * matcher that archives is current on every node.
 */
import type { SqlExecutor } from "../store/index.js";
import { bumpRulesGeneration, type EventsScope } from "./bus-records.js";

export interface ArchiveRecord {
  readonly name: string;
  readonly arn: string;
  readonly busName: string;
  readonly description?: string;
  readonly eventPattern?: string;
  readonly retentionDays: number;
  readonly createdAt: number;
}

export const archiveArn = (scope: EventsScope, name: string) =>
  `arn:aws:events:${scope.region}:${scope.accountId}:archive/${name}`;

interface ArchiveRow {
  name: string;
  bus_name: string;
  description: string | null;
  event_pattern: string | null;
  retention_days: number | string;
  created_at: number | string;
}

const columns = "name, bus_name, description, event_pattern, retention_days, created_at";

function archiveOf(scope: EventsScope, row: ArchiveRow): ArchiveRecord {
  return {
    name: row.name,
    arn: archiveArn(scope, row.name),
    busName: row.bus_name,
    ...(row.description !== null ? { description: row.description } : {}),
    ...(row.event_pattern !== null ? { eventPattern: row.event_pattern } : {}),
    retentionDays: Number(row.retention_days),
    createdAt: Number(row.created_at),
  };
}

export async function findArchive(
  db: SqlExecutor,
  scope: EventsScope,
  name: string,
): Promise<ArchiveRecord | undefined> {
  const row = await db.get<ArchiveRow>(
    `SELECT ${columns} FROM events_archives WHERE account_id = ? AND region = ? AND name = ?`,
    [scope.accountId, scope.region, name],
  );
  return row ? archiveOf(scope, row) : undefined;
}

/** Archives in name order, of one bus or all. */
export async function listArchives(
  db: SqlExecutor,
  scope: EventsScope,
  bus?: string,
): Promise<ArchiveRecord[]> {
  const rows = await db.all<ArchiveRow>(
    `SELECT ${columns} FROM events_archives WHERE account_id = ? AND region = ? ${bus !== undefined ? "AND bus_name = ?" : ""}
       ORDER BY name`,
    bus !== undefined ? [scope.accountId, scope.region, bus] : [scope.accountId, scope.region],
  );
  return rows.map((row) => archiveOf(scope, row));
}

export type NewArchive = Omit<ArchiveRecord, "arn" | "createdAt">;

export async function insertArchive(
  db: SqlExecutor,
  scope: EventsScope,
  archive: NewArchive,
  now: number,
): Promise<void> {
  await db.run(
    `INSERT INTO events_archives (account_id, region, name, bus_name, description, event_pattern, retention_days, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      scope.accountId,
      scope.region,
      archive.name,
      archive.busName,
      archive.description ?? null,
      archive.eventPattern ?? null,
      archive.retentionDays,
      now,
    ],
  );
  await bumpRulesGeneration(db, scope, archive.busName, now);
}

export async function updateArchive(
  db: SqlExecutor,
  scope: EventsScope,
  archive: ArchiveRecord,
  changes: { description?: string; eventPattern?: string; retentionDays?: number },
  now: number,
): Promise<void> {
  await db.run(
    "UPDATE events_archives SET description = ?, event_pattern = ?, retention_days = ? WHERE account_id = ? AND region = ? AND name = ?",
    [
      changes.description ?? archive.description ?? null,
      changes.eventPattern ?? archive.eventPattern ?? null,
      changes.retentionDays ?? archive.retentionDays,
      scope.accountId,
      scope.region,
      archive.name,
    ],
  );
  await bumpRulesGeneration(db, scope, archive.busName, now);
}

export async function deleteArchive(
  db: SqlExecutor,
  scope: EventsScope,
  archive: ArchiveRecord,
  now: number,
): Promise<void> {
  const key = [scope.accountId, scope.region, archive.name];
  await db.run("DELETE FROM events_archived WHERE account_id = ? AND region = ? AND archive_name = ?", key);
  await db.run("DELETE FROM events_archives WHERE account_id = ? AND region = ? AND name = ?", key);
  await bumpRulesGeneration(db, scope, archive.busName, now);
}

/** Keeps an event in an archive (once: an event routed again is not archived twice). */
export async function archiveEvent(
  db: SqlExecutor,
  scope: EventsScope,
  archive: string,
  event: { readonly id: string; readonly time: string },
  body: string,
  sizeBytes: number,
  now: number,
): Promise<void> {
  const time = Date.parse(event.time);
  await db.run(
    `INSERT INTO events_archived (account_id, region, archive_name, event_id, event_time, archived_at, size_bytes, body)
       SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (
         SELECT 1 FROM events_archived WHERE account_id = ? AND region = ? AND archive_name = ? AND event_id = ?)`,
    [
      scope.accountId,
      scope.region,
      archive,
      event.id,
      Number.isFinite(time) ? time : now,
      now,
      sizeBytes,
      body,
      scope.accountId,
      scope.region,
      archive,
      event.id,
    ],
  );
}

/** How many events an archive holds, and their size in bytes. */
export async function archiveContents(
  db: SqlExecutor,
  scope: EventsScope,
  archive: string,
): Promise<{ eventCount: number; sizeBytes: number }> {
  const row = await db.get<{ events: number | string; bytes: number | string | null }>(
    `SELECT COUNT(*) AS events, SUM(size_bytes) AS bytes FROM events_archived
       WHERE account_id = ? AND region = ? AND archive_name = ?`,
    [scope.accountId, scope.region, archive],
  );
  return { eventCount: Number(row?.events ?? 0), sizeBytes: Number(row?.bytes ?? 0) };
}

/** An archive's events whose time is in [start, end), oldest first. */
export async function archivedEvents(
  db: SqlExecutor,
  scope: EventsScope,
  archive: string,
  start: number,
  end: number,
): Promise<string[]> {
  const rows = await db.all<{ body: string }>(
    `SELECT body FROM events_archived WHERE account_id = ? AND region = ? AND archive_name = ?
       AND event_time >= ? AND event_time < ? ORDER BY event_time, event_id`,
    // An event's time has whole seconds: one put in the second the range starts in is in it.
    [scope.accountId, scope.region, archive, Math.floor(start / 1000) * 1000, end],
  );
  return rows.map((row) => row.body);
}

/** Drops events past their archive's retention (housekeeping). */
export async function purgeArchives(db: SqlExecutor, now: number): Promise<void> {
  const dayMs = 86_400_000;
  await db.run(
    `DELETE FROM events_archived WHERE EXISTS (
       SELECT 1 FROM events_archives a WHERE a.account_id = events_archived.account_id AND a.region = events_archived.region
         AND a.name = events_archived.archive_name AND a.retention_days > 0
         AND events_archived.archived_at < ? - a.retention_days * ?)`,
    [now, dayMs],
  );
}
