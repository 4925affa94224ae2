/**
 * EventBridge in the server: the schema, the API, and delivery as a kind of work on the one
 * queue. Each node keeps its own compiled matchers, current by the buses' rules generations.
 */
import { OutboundPolicy } from "../server/outbound-http.js";
import type { Subsystem } from "../server/subsystem.js";
import { apiDestinationTargets } from "./api-destination-delivery.js";
import { purgeArchives } from "./archive-records.js";
import { busTargets, functionTargets } from "./builtin-targets.js";
import { BusMatchers } from "./bus-matcher.js";
import { BusTaps, busTapPath } from "./bus-taps.js";
import { deadLettersPath, deadLettersRoute } from "./dead-letters.js";
import { Deliverer } from "./delivery.js";
import { deliveryKind } from "./delivery-job.js";
import { DeliveryMetrics } from "./delivery-metrics.js";
import {
  apiDestinationResource,
  archiveResource,
  connectionResource,
  eventBusResource,
  ruleResource,
} from "./event-resources.js";
import { EventTargets } from "./event-targets.js";
import { eventsMigrations } from "./events-schema.js";
import { createEventsService } from "./events-service.js";
import { ensureOutboxRelay, outboxRelay, outboxRelayKind } from "./outbox-relay.js";
import { putOnBus } from "./put-events.js";
import { replayHandler, replayKind } from "./replay-job.js";

/** Deliveries this node runs at once. */
const deliveryConcurrency = 16;

export const eventsSubsystem: Subsystem = {
  name: "events",
  migrations: eventsMigrations,
  resourceTypes: ({ store, calls }) => {
    const service = createEventsService(store);
    const made = () => service;
    return [
      eventBusResource(calls, made),
      ruleResource(calls, made),
      archiveResource(calls, made),
      connectionResource(calls, made),
      apiDestinationResource(calls, made),
    ];
  },
  open: ({ store, queue, metrics, provided, logger, outboxSignal, config }) => {
    const matchers = new BusMatchers();
    const deliveryMetrics = new DeliveryMetrics(metrics);
    const taps = new BusTaps();
    const routing = { matchers, queue, metrics: deliveryMetrics, taps };
    // The kinds of target; other subsystems add theirs (workflows: `states`) through `provides`.
    const targets = new EventTargets()
      .register(
        "lambda",
        functionTargets(() => provided.invokeOnBehalf),
      )
      .register("events:event-bus", busTargets(store, routing))
      .register(
        "events:api-destination",
        apiDestinationTargets(store, new OutboundPolicy(config.httpTargetAllow)),
      );
    const deliverer = new Deliverer({ store, metrics: deliveryMetrics, targets });
    queue.register(deliveryKind, {
      handle: (job) => deliverer.handle(job as Parameters<Deliverer["handle"]>[0]),
      concurrency: deliveryConcurrency,
      maxAttempts: 186,
      backoff: { initialMs: 1000, factor: 2, maxMs: 300_000, jitter: 0.5 },
    });
    // Jeff's own events (every call's, every stack's, every parameter's) onto the default buses.
    const stopping = new AbortController();
    queue.register(outboxRelayKind, {
      handle: outboxRelay({ store, queue, signal: outboxSignal, routing, stopping: stopping.signal, logger }),
      leaseMs: 30_000,
      // It is given back, not failed, when its node stops; only failures count, and it must outlive them.
      maxAttempts: 1_000_000,
    });
    queue.register(replayKind, { handle: replayHandler(store, routing) });
    return {
      services: [createEventsService(store, routing, { replayStartDelayMs: config.replayStartDelayMs })],
      provides: { eventTargets: targets, putOnBus: putOnBus(routing) },
      housekeeping: () => purgeArchives(store, Date.now()),
      start: () => ensureOutboxRelay(store, queue),
      stopping: () => {
        stopping.abort();
        taps.closeAll();
      },
      signedRoutes: {
        [deadLettersPath]: deadLettersRoute(store, logger),
        [busTapPath]: taps.route(config.region),
      },
    };
  },
};
