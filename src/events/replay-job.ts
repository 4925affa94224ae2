/**
 * A replay as a job of kind `events.replay` on the work queue: the archive's events of the time
 * range, each put again on the destination bus (its own bus: EventBridge replays to no other) for
 * the rules the replay names, or all of them, with `replay-name` added to the event as AWS adds
 * it. Batches commit with the position; a cancel is seen between batches.
 */
import type { Job, NewJob } from "../queue/index.js";
import type { Store } from "../store/index.js";
import { archivedEvents } from "./archive-records.js";
import { busNameOf, type EventsScope } from "./bus-records.js";
import { type EventEnvelope, type RoutingContext, routeEvent } from "./put-events.js";
import { findReplay, setReplayState } from "./replay-records.js";

export const replayKind = "events.replay";

export interface ReplayJob {
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
}

/**
 * How long a replay stays STARTING before its events go out, by default. EventBridge takes a
 * minute or more; Jeff waits a few seconds, so that a replay can still be cancelled (and counted
 * among the ten active ones) just after it was started, as clients written against AWS expect.
 */
export const defaultReplayStartDelayMs = 10_000;

export const replayJob = (
  scope: EventsScope,
  name: string,
  now = Date.now(),
  delayMs = defaultReplayStartDelayMs,
): NewJob => ({
  kind: replayKind,
  payload: { accountId: scope.accountId, region: scope.region, name } satisfies ReplayJob,
  runAt: now + delayMs,
});

/** Events replayed per transaction. */
const batch = 100;

/** The event as a replay delivers it: `replay-name` after `region`, as AWS places it. */
function replayed(event: EventEnvelope, replayName: string): EventEnvelope {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    out[key] = value;
    if (key === "region") out["replay-name"] = replayName;
  }
  return out as unknown as EventEnvelope;
}

export function replayHandler(store: Store, routing: RoutingContext): (job: Job) => Promise<void> {
  return async (job) => {
    const { accountId, region, name } = job.payload as ReplayJob;
    const scope = { accountId, region };
    const replay = await findReplay(store, scope, name);
    if (replay === undefined) {
      await store.transaction(async (tx) => void (await job.completeIn(tx)));
      return;
    }
    await setReplayState(store, scope, name, "RUNNING", {}, ["STARTING"]);
    const bus = busNameOf(replay.destination.Arn);
    const rules = new Set(replay.destination.FilterArns ?? []);
    const events = await archivedEvents(store, scope, replay.archiveName, replay.eventStart, replay.eventEnd);
    let lastReplayed: number | undefined;
    for (let i = 0; i < events.length; i += batch) {
      const current = await findReplay(store, scope, name);
      if (current?.state === "CANCELLING") {
        await store.transaction(async (tx) => {
          await setReplayState(tx, scope, name, "CANCELLED", { endedAt: Date.now() });
          await job.completeIn(tx);
        });
        return;
      }
      await store.transaction(async (tx) => {
        for (const text of events.slice(i, i + batch)) {
          const event = JSON.parse(text) as EventEnvelope;
          await routeEvent(tx, routing, scope, bus, replayed(event, name), Date.now(), {
            replayRules: rules,
          });
          lastReplayed = Date.parse(event.time);
        }
      });
      routing.queue.wake();
    }
    await store.transaction(async (tx) => {
      const now = Date.now();
      const cancelled = (await findReplay(tx, scope, name))?.state === "CANCELLING";
      await setReplayState(tx, scope, name, cancelled ? "CANCELLED" : "COMPLETED", {
        endedAt: now,
        // AWS answers no EventLastReplayedTime for a replay that replayed nothing.
        ...(lastReplayed !== undefined ? { lastReplayed } : {}),
      });
      await job.completeIn(tx);
    });
  };
}
