/**
 * EventBridge's archives and replays, as operations of the API (awsJson1_1): CreateArchive,
 * DescribeArchive, UpdateArchive, DeleteArchive, ListArchives, StartReplay, DescribeReplay,
 * ListReplays and CancelReplay, in AWS's words.
 */
import { AwsError, type Declared, type JsonOperation } from "../protocol/index.js";
import type { Store } from "../store/index.js";
import { page, scopeOf, seconds, str } from "./api-values.js";
import {
  archiveArn,
  archiveContents,
  deleteArchive,
  findArchive,
  insertArchive,
  listArchives,
  updateArchive,
} from "./archive-records.js";
import { busArn, busNameOf, type EventsScope, requireBus } from "./bus-records.js";
import { eventsOperations as ops } from "./event-operations.js";
import { eventsErrors } from "./events-errors.js";
import { compilePattern } from "./pattern/index.js";
import type { RoutingContext } from "./put-events.js";
import { replayJob } from "./replay-job.js";
import {
  findReplay,
  insertReplay,
  listReplays,
  type ReplayRecord,
  setReplayState,
} from "./replay-records.js";

/** A timestamp member as decoded: seconds since the epoch. */
const millis = (value: unknown): number => (typeof value === "number" ? value * 1000 : Number.NaN);

/** EventBridge runs at most this many replays at once in an account and region. */
const maxActiveReplays = 10;
const activeReplayStates = new Set(["STARTING", "RUNNING", "CANCELLING"]);

const archiveErrors = {
  tooManyReplays: () =>
    new AwsError("LimitExceededException", "The requested resource exceeds the maximum number allowed."),
  notFound: (name: string) => new AwsError("ResourceNotFoundException", `Archive ${name} does not exist.`),
  exists: (name: string) => new AwsError("ResourceAlreadyExistsException", `Archive ${name} already exists.`),
  replayNotFound: (name: string) =>
    new AwsError("ResourceNotFoundException", `Replay ${name} does not exist.`),
  replayExists: (name: string) =>
    new AwsError("ResourceAlreadyExistsException", `Replay ${name} already exists.`),
  replaySourceMissing: (name: string) =>
    eventsErrors.validation(`Parameter EventSourceArn is not valid. Reason: Archive ${name} does not exist.`),
  crossBus: () =>
    eventsErrors.validation(
      "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.",
    ),
  endBeforeStart: () =>
    eventsErrors.validation(
      "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.",
    ),
  notCancellable: (name: string, state: string) =>
    new AwsError(
      "IllegalStatusException",
      `Replay ${name} is not in a valid state for this operation (state ${state}).`,
    ),
} as const;

/** The archive name an archive ARN ends with. */
const archiveNameOf = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);

function replayEntry(scope: EventsScope, replay: ReplayRecord, full: boolean): Record<string, unknown> {
  return {
    ReplayName: replay.name,
    ...(full ? { ReplayArn: replay.arn } : {}),
    ...(full && replay.description !== undefined ? { Description: replay.description } : {}),
    EventSourceArn: archiveArn(scope, replay.archiveName),
    ...(full ? { Destination: replay.destination } : {}),
    State: replay.state,
    ...(replay.stateReason !== undefined ? { StateReason: replay.stateReason } : {}),
    EventStartTime: seconds(replay.eventStart),
    EventEndTime: seconds(replay.eventEnd),
    ...(replay.lastReplayed !== undefined ? { EventLastReplayedTime: seconds(replay.lastReplayed) } : {}),
    ReplayStartTime: seconds(replay.startedAt),
    ...(replay.endedAt !== undefined ? { ReplayEndTime: seconds(replay.endedAt) } : {}),
  };
}

export interface ArchiveOptions {
  /** How long a replay stays STARTING before its events go out (`replayStartDelayMs` in the config). */
  readonly replayStartDelayMs?: number;
}

export function archiveOperations(
  store: Store,
  routing?: RoutingContext,
  options: ArchiveOptions = {},
): Record<string, Declared<JsonOperation>> {
  return {
    CreateArchive: {
      ...ops.CreateArchive,
      handler: async (input, ctx) => {
        const scope = scopeOf(ctx);
        const name = String(input.ArchiveName);
        const pattern = str(input.EventPattern);
        if (pattern !== undefined) compilePattern(pattern);
        const now = Date.now();
        await ctx.transaction(async (tx) => {
          const bus = busNameOf(input.EventSourceArn);
          await requireBus(tx, scope, bus);
          if (await findArchive(tx, scope, name)) throw archiveErrors.exists(name);
          await insertArchive(
            tx,
            scope,
            {
              name,
              busName: bus,
              ...(str(input.Description) !== undefined ? { description: str(input.Description)! } : {}),
              ...(pattern !== undefined ? { eventPattern: pattern } : {}),
              retentionDays: typeof input.RetentionDays === "number" ? input.RetentionDays : 0,
            },
            now,
          );
        });
        return { ArchiveArn: archiveArn(scope, name), State: "ENABLED", CreationTime: seconds(now) };
      },
    },
    DescribeArchive: {
      ...ops.DescribeArchive,
      handler: async (input, ctx) => {
        const scope = scopeOf(ctx);
        const name = String(input.ArchiveName);
        const archive = await findArchive(store, scope, name);
        if (!archive) throw archiveErrors.notFound(name);
        const { eventCount, sizeBytes } = await archiveContents(store, scope, name);
        return {
          ArchiveArn: archive.arn,
          ArchiveName: archive.name,
          EventSourceArn: busArn(scope, archive.busName),
          ...(archive.description !== undefined ? { Description: archive.description } : {}),
          ...(archive.eventPattern !== undefined ? { EventPattern: archive.eventPattern } : {}),
          State: "ENABLED",
          RetentionDays: archive.retentionDays,
          SizeBytes: sizeBytes,
          EventCount: eventCount,
          CreationTime: seconds(archive.createdAt),
        };
      },
    },
    UpdateArchive: {
      ...ops.UpdateArchive,
      handler: async (input, ctx) => {
        const scope = scopeOf(ctx);
        const name = String(input.ArchiveName);
        const pattern = str(input.EventPattern);
        if (pattern !== undefined) compilePattern(pattern);
        const archive = await ctx.transaction(async (tx) => {
          const found = await findArchive(tx, scope, name);
          if (!found) throw archiveErrors.notFound(name);
          await updateArchive(
            tx,
            scope,
            found,
            {
              ...(str(input.Description) !== undefined ? { description: str(input.Description)! } : {}),
              ...(pattern !== undefined ? { eventPattern: pattern } : {}),
              ...(typeof input.RetentionDays === "number" ? { retentionDays: input.RetentionDays } : {}),
            },
            Date.now(),
          );
          return found;
        });
        return { ArchiveArn: archive.arn, State: "ENABLED", CreationTime: seconds(archive.createdAt) };
      },
    },
    DeleteArchive: {
      ...ops.DeleteArchive,
      handler: async (input, ctx) => {
        const scope = scopeOf(ctx);
        const name = String(input.ArchiveName);
        await ctx.transaction(async (tx) => {
          const archive = await findArchive(tx, scope, name);
          if (!archive) throw archiveErrors.notFound(name);
          await deleteArchive(tx, scope, archive, Date.now());
        });
        return {};
      },
    },
    ListArchives: {
      ...ops.ListArchives,
      handler: async (input, ctx) => {
        const scope = scopeOf(ctx);
        let bus: string | undefined;
        if (typeof input.EventSourceArn === "string") {
          bus = busNameOf(input.EventSourceArn);
          await requireBus(store, scope, bus);
        }
        const prefix = str(input.NamePrefix) ?? "";
        const state = str(input.State);
        const archives = (await listArchives(store, scope, bus)).filter(
          (archive) => archive.name.startsWith(prefix) && (state === undefined || state === "ENABLED"),
        );
        const { items, nextToken } = page(archives, input);
        const entries = [];
        for (const archive of items) {
          const { eventCount, sizeBytes } = await archiveContents(store, scope, archive.name);
          entries.push({
            ArchiveName: archive.name,
            EventSourceArn: busArn(scope, archive.busName),
            State: "ENABLED",
            RetentionDays: archive.retentionDays,
            SizeBytes: sizeBytes,
            EventCount: eventCount,
            CreationTime: seconds(archive.createdAt),
          });
        }
        return { Archives: entries, ...(nextToken ? { NextToken: nextToken } : {}) };
      },
    },
    StartReplay: {
      ...ops.StartReplay,
      handler: async (input, ctx) => {
        const scope = scopeOf(ctx);
        if (routing === undefined) throw new TypeError("StartReplay needs the running subsystem's routing");
        const name = String(input.ReplayName);
        const start = millis(input.EventStartTime);
        const end = millis(input.EventEndTime);
        const destination = (input.Destination ?? {}) as { Arn?: string; FilterArns?: string[] };
        const archiveName = archiveNameOf(String(input.EventSourceArn));
        const now = Date.now();
        await ctx.transaction(async (tx) => {
          if (await findReplay(tx, scope, name)) throw archiveErrors.replayExists(name);
          const archive = await findArchive(tx, scope, archiveName);
          if (!archive) throw archiveErrors.replaySourceMissing(archiveName);
          if (!(start < end)) throw archiveErrors.endBeforeStart();
          // AWS names a destination bus that does not exist before refusing one that is not the archive's.
          if (String(destination.Arn).startsWith("arn:"))
            await requireBus(tx, scope, busNameOf(destination.Arn));
          if (busNameOf(destination.Arn) !== archive.busName || !String(destination.Arn).startsWith("arn:")) {
            throw archiveErrors.crossBus();
          }
          const active = (await listReplays(tx, scope)).filter((replay) =>
            activeReplayStates.has(replay.state),
          );
          if (active.length >= maxActiveReplays) throw archiveErrors.tooManyReplays();
          await insertReplay(
            tx,
            scope,
            {
              name,
              archiveName,
              ...(str(input.Description) !== undefined ? { description: str(input.Description)! } : {}),
              destination: {
                Arn: String(destination.Arn),
                ...(destination.FilterArns !== undefined ? { FilterArns: destination.FilterArns } : {}),
              },
              eventStart: start,
              eventEnd: end,
            },
            now,
          );
          await routing.queue.enqueue(tx, replayJob(scope, name, now, options.replayStartDelayMs));
        });
        routing.queue.wake();
        return {
          ReplayArn: (await findReplay(store, scope, name))!.arn,
          State: "STARTING",
          ReplayStartTime: seconds(now),
        };
      },
    },
    DescribeReplay: {
      ...ops.DescribeReplay,
      handler: async (input, ctx) => {
        const scope = scopeOf(ctx);
        const name = String(input.ReplayName);
        const replay = await findReplay(store, scope, name);
        if (!replay) throw archiveErrors.replayNotFound(name);
        return replayEntry(scope, replay, true);
      },
    },
    ListReplays: {
      ...ops.ListReplays,
      handler: async (input, ctx) => {
        const scope = scopeOf(ctx);
        const prefix = str(input.NamePrefix) ?? "";
        const state = str(input.State);
        const source = str(input.EventSourceArn);
        const replays = (await listReplays(store, scope)).filter(
          (replay) =>
            replay.name.startsWith(prefix) &&
            (state === undefined || replay.state === state) &&
            (source === undefined || archiveArn(scope, replay.archiveName) === source),
        );
        const { items, nextToken } = page(replays, input);
        return {
          Replays: items.map((replay) => replayEntry(scope, replay, false)),
          ...(nextToken ? { NextToken: nextToken } : {}),
        };
      },
    },
    CancelReplay: {
      ...ops.CancelReplay,
      handler: async (input, ctx) => {
        const scope = scopeOf(ctx);
        const name = String(input.ReplayName);
        const replay = await ctx.transaction(async (tx) => {
          const found = await findReplay(tx, scope, name);
          if (!found) throw archiveErrors.replayNotFound(name);
          if (!(await setReplayState(tx, scope, name, "CANCELLING", {}, ["STARTING", "RUNNING"]))) {
            throw archiveErrors.notCancellable(name, found.state);
          }
          return found;
        });
        return { ReplayArn: replay.arn, State: "CANCELLING" };
      },
    },
  };
}
