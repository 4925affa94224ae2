/**
 * Jeff's own events on the default bus: every change event the call path commits to the outbox —
 * "AWS API Call via CloudTrail" for each mutating call, and the services' own ("CloudFormation
 * Stack Status Change", "CloudFormation Resource Status Change", "Parameter Store Change", …) — is
 * put on its account's default bus in its Region, so a rule can react to account activity as on
 * AWS. Later subsystems add their events to the outbox and reach the bus the same way.
 *
 * One job of kind `events.outbox-relay` follows the outbox (so one node relays at a time, and
 * another takes over when its lease ends); the position it has relayed up to is kept in the store
 * and moves in the transaction that enqueues the deliveries, so each event is routed once.
 */
import type { ChangeEvent, OutboxSignal } from "../operations/index.js";
import { latestOutboxSeq, readOutbox } from "../operations/index.js";
import type { Logger } from "../ops/index.js";
import { type Job, RetryAfterError, type WorkQueue } from "../queue/index.js";
import type { SqlExecutor, Store } from "../store/index.js";
import { defaultBusName } from "./bus-records.js";
import { type EventEnvelope, type RoutingContext, routeEvent } from "./put-events.js";

export const outboxRelayKind = "events.outbox-relay";

/** How long the relay waits for a commit's signal before reading anyway. */
const idleReadMs = 30_000;
/** How soon a relay given back by a stopping node may run again, on another node. */
const givenBackForMs = 1_000;
/** Events relayed per transaction. */
const batch = 200;

async function relayedUpTo(store: Store): Promise<number> {
  const row = await store.get<{ seq: number | string }>(
    "SELECT seq FROM events_outbox_relay WHERE id = 'default'",
  );
  if (row) return Number(row.seq);
  // The first relay starts from now: the bus did not exist for what came before.
  const latest = await latestOutboxSeq(store);
  await store.transaction(async (tx) => {
    const again = await tx.get("SELECT seq FROM events_outbox_relay WHERE id = 'default'");
    if (!again) await tx.run("INSERT INTO events_outbox_relay (id, seq) VALUES ('default', ?)", [latest]);
  });
  return Number(
    (await store.get<{ seq: number | string }>("SELECT seq FROM events_outbox_relay WHERE id = 'default'"))!
      .seq,
  );
}

/** Routes the events onto their default buses and moves the position past them, in `tx`. */
async function relay(
  tx: SqlExecutor,
  routing: RoutingContext,
  events: readonly ChangeEvent[],
  upTo: number,
): Promise<number> {
  let deliveries = 0;
  const now = Date.now();
  for (const event of events) {
    deliveries += await routeEvent(
      tx,
      routing,
      { accountId: event.account, region: event.region },
      defaultBusName,
      event as unknown as EventEnvelope,
      now,
    );
  }
  await tx.run("UPDATE events_outbox_relay SET seq = ? WHERE id = 'default' AND seq < ?", [upTo, upTo]);
  return deliveries;
}

export interface OutboxRelayOptions {
  readonly store: Store;
  readonly queue: WorkQueue;
  readonly signal: OutboxSignal;
  readonly routing: RoutingContext;
  /** Aborted as the server begins to stop: the relay gives its job back at once. */
  readonly stopping: AbortSignal;
  readonly logger: Logger;
}

/** Resolves when `signal` is aborted (at once if it is). */
const aborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });

/** The relay job's handler: follows the outbox until this node no longer holds the job. */
export function outboxRelay(options: OutboxRelayOptions): (job: Job) => Promise<void> {
  const { store, queue, signal, routing, stopping, logger } = options;
  return async (job) => {
    const given = AbortSignal.any([job.signal, stopping]);
    // One listener for the whole watch: one per wait would pile up on a signal that never fires.
    const givenBack = aborted(given);
    let seq = await relayedUpTo(store);
    while (!given.aborted) {
      const woken = signal.next(idleReadMs);
      try {
        const entries = await readOutbox(store, seq, batch);
        if (entries.length > 0) {
          const upTo = entries.at(-1)!.seq;
          const events = entries.map((entry) => entry.event);
          const deliveries = await store.transaction((tx) => relay(tx, routing, events, upTo));
          seq = upTo;
          if (deliveries > 0) queue.wake();
          continue;
        }
      } catch (error) {
        // The store is away for a moment: read again at the next signal, from the kept position.
        logger.warn("could not put change events on the default bus; trying again", { error });
        seq = await relayedUpTo(store).catch(() => seq);
      }
      await Promise.race([woken, givenBack]);
    }
    // Given back, not finished: another node (or this one, restarted) takes it up again in a
    // moment. Not at once: this node, still stopping, would claim and give it back in a loop.
    throw new RetryAfterError("the relay's node stopped holding it", givenBackForMs, {
      countsAsAttempt: false,
    });
  };
}

/** The one relay job; enqueueing it again while it exists adds nothing. */
export async function ensureOutboxRelay(store: Store, queue: WorkQueue): Promise<void> {
  await store.transaction((tx) => queue.enqueue(tx, { kind: outboxRelayKind, dedupeKey: "default-bus" }));
  queue.wake();
}
