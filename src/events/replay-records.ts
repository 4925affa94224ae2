/** Replays as the store holds them: what to re-deliver, where, and how far it got. */
import type { SqlExecutor } from "../store/index.js";
import type { EventsScope } from "./bus-records.js";

export const replayStates = [
  "STARTING",
  "RUNNING",
  "CANCELLING",
  "COMPLETED",
  "CANCELLED",
  "FAILED",
] as const;
export type ReplayState = (typeof replayStates)[number];

export interface ReplayDestination {
  readonly Arn: string;
  readonly FilterArns?: readonly string[];
}

export interface ReplayRecord {
  readonly name: string;
  readonly arn: string;
  readonly archiveName: string;
  readonly description?: string;
  readonly destination: ReplayDestination;
  readonly eventStart: number;
  readonly eventEnd: number;
  readonly state: ReplayState;
  readonly stateReason?: string;
  readonly startedAt: number;
  readonly endedAt?: number;
  readonly lastReplayed?: number;
}

export const replayArn = (scope: EventsScope, name: string) =>
  `arn:aws:events:${scope.region}:${scope.accountId}:replay/${name}`;

interface ReplayRow {
  name: string;
  archive_name: string;
  description: string | null;
  destination: string;
  event_start: number | string;
  event_end: number | string;
  state: ReplayState;
  state_reason: string | null;
  started_at: number | string;
  ended_at: number | string | null;
  last_replayed: number | string | null;
}

const columns =
  "name, archive_name, description, destination, event_start, event_end, state, state_reason, started_at, ended_at, last_replayed";

function replayOf(scope: EventsScope, row: ReplayRow): ReplayRecord {
  return {
    name: row.name,
    arn: replayArn(scope, row.name),
    archiveName: row.archive_name,
    ...(row.description !== null ? { description: row.description } : {}),
    destination: JSON.parse(row.destination) as ReplayDestination,
    eventStart: Number(row.event_start),
    eventEnd: Number(row.event_end),
    state: row.state,
    ...(row.state_reason !== null ? { stateReason: row.state_reason } : {}),
    startedAt: Number(row.started_at),
    ...(row.ended_at !== null ? { endedAt: Number(row.ended_at) } : {}),
    ...(row.last_replayed !== null ? { lastReplayed: Number(row.last_replayed) } : {}),
  };
}

export async function findReplay(
  db: SqlExecutor,
  scope: EventsScope,
  name: string,
): Promise<ReplayRecord | undefined> {
  const row = await db.get<ReplayRow>(
    `SELECT ${columns} FROM events_replays WHERE account_id = ? AND region = ? AND name = ?`,
    [scope.accountId, scope.region, name],
  );
  return row ? replayOf(scope, row) : undefined;
}

export async function listReplays(db: SqlExecutor, scope: EventsScope): Promise<ReplayRecord[]> {
  const rows = await db.all<ReplayRow>(
    `SELECT ${columns} FROM events_replays WHERE account_id = ? AND region = ? ORDER BY name`,
    [scope.accountId, scope.region],
  );
  return rows.map((row) => replayOf(scope, row));
}

export async function insertReplay(
  db: SqlExecutor,
  scope: EventsScope,
  replay: Omit<ReplayRecord, "arn" | "state" | "startedAt">,
  now: number,
): Promise<void> {
  await db.run(
    `INSERT INTO events_replays (account_id, region, name, archive_name, description, destination, event_start, event_end,
       state, state_reason, started_at, ended_at, last_replayed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'STARTING', NULL, ?, NULL, NULL)`,
    [
      scope.accountId,
      scope.region,
      replay.name,
      replay.archiveName,
      replay.description ?? null,
      JSON.stringify(replay.destination),
      replay.eventStart,
      replay.eventEnd,
      now,
    ],
  );
}

/** Moves a replay to `state` (from one of `from`, when given); false when it was in none of them. */
export async function setReplayState(
  db: SqlExecutor,
  scope: EventsScope,
  name: string,
  state: ReplayState,
  fields: { endedAt?: number; lastReplayed?: number; reason?: string } = {},
  from?: readonly ReplayState[],
): Promise<boolean> {
  const guard = from === undefined ? "" : ` AND state IN (${from.map(() => "?").join(", ")})`;
  const { changes } = await db.run(
    `UPDATE events_replays SET state = ?, ended_at = COALESCE(?, ended_at), last_replayed = COALESCE(?, last_replayed),
       state_reason = COALESCE(?, state_reason) WHERE account_id = ? AND region = ? AND name = ?${guard}`,
    [
      state,
      fields.endedAt ?? null,
      fields.lastReplayed ?? null,
      fields.reason ?? null,
      scope.accountId,
      scope.region,
      name,
      ...(from ?? []),
    ],
  );
  return changes > 0;
}
