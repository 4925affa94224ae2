/**
 * PutEvents: each entry checked alone (a bad one fails in the answer, the others are accepted),
 * the request refused whole when its entries are over EventBridge's size limit, each accepted
 * event put into AWS's envelope and matched against its bus's rules, and one delivery job
 * enqueued per (event, target) pair — all in the call's transaction, so an event PutEvents
 * answered for is never lost and never half-routed.
 */
import { randomUUID } from "node:crypto";
import type { PutOnBus } from "../functions/index.js";
import type { WorkQueue } from "../queue/index.js";
import type { SqlExecutor } from "../store/index.js";
import { archiveEvent } from "./archive-records.js";
import type { BusMatchers } from "./bus-matcher.js";
import { busNameOf, type EventsScope, findBus } from "./bus-records.js";
import type { BusTaps } from "./bus-taps.js";
import { deliveryJob } from "./delivery-job.js";
import type { DeliveryMetrics } from "./delivery-metrics.js";
import { entryErrors, eventsErrors } from "./events-errors.js";

/** EventBridge's limit on the entries of one PutEvents request, in bytes as AWS counts them. */
export const putEventsSizeLimit = 256 * 1024;

export interface PutEventsEntry {
  readonly Time?: unknown;
  readonly Source?: unknown;
  readonly Resources?: unknown;
  readonly DetailType?: unknown;
  readonly Detail?: unknown;
  readonly EventBusName?: unknown;
  readonly TraceHeader?: unknown;
}

export type PutEventsResultEntry =
  | { readonly EventId: string }
  | { readonly ErrorCode: string; readonly ErrorMessage: string };

const utf8Length = (value: unknown) => (typeof value === "string" ? Buffer.byteLength(value, "utf8") : 0);

/**
 * An entry's size as EventBridge documents it: 14 bytes for a Time, the UTF-8 bytes of Source,
 * DetailType, Detail and each resource.
 */
export function entrySize(entry: PutEventsEntry): number {
  let size = entry.Time !== undefined && entry.Time !== null ? 14 : 0;
  size += utf8Length(entry.Source) + utf8Length(entry.DetailType) + utf8Length(entry.Detail);
  if (Array.isArray(entry.Resources)) for (const resource of entry.Resources) size += utf8Length(resource);
  return size;
}

/** Refuses the whole request when its entries together are over the limit. */
export function checkRequestSize(entries: readonly PutEventsEntry[]): void {
  let total = 0;
  for (const entry of entries) total += entrySize(entry);
  if (total > putEventsSizeLimit) throw eventsErrors.requestTooLarge();
}

type EntryError = { readonly ErrorCode: string; readonly ErrorMessage: string };

/** The entry's detail as an object, or why it is refused. */
function checkEntry(entry: PutEventsEntry): { detail: Record<string, unknown> } | { refused: EntryError } {
  if (typeof entry.Source !== "string" || entry.Source === "")
    return { refused: entryErrors.required("Source") };
  if (typeof entry.DetailType !== "string" || entry.DetailType === "") {
    return { refused: entryErrors.required("DetailType") };
  }
  if (typeof entry.Detail !== "string" || entry.Detail === "")
    return { refused: entryErrors.required("Detail") };
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    return { refused: entryErrors.malformedDetail() };
  }
  if (detail === null || typeof detail !== "object" || Array.isArray(detail)) {
    return { refused: entryErrors.malformedDetail() };
  }
  return { detail: detail as Record<string, unknown> };
}

/** EventBridge's `time`: UTC to the second, `2024-05-01T12:00:00Z`. */
export function eventTime(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

/** The Time an entry gives (seconds since the epoch, as the SDKs send a timestamp), or now. */
function timeOf(entry: PutEventsEntry, now: number): number {
  if (typeof entry.Time === "number" && Number.isFinite(entry.Time)) return entry.Time * 1000;
  if (typeof entry.Time === "string") {
    const parsed = Date.parse(entry.Time);
    if (Number.isFinite(parsed)) return parsed;
  }
  return now;
}

/** An event as EventBridge puts it on a bus: the envelope, in AWS's order of fields. */
export interface EventEnvelope {
  readonly version: "0";
  readonly id: string;
  readonly "detail-type": string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
}

export function envelopeOf(
  scope: EventsScope,
  fields: {
    source: string;
    detailType: string;
    resources?: readonly string[];
    detail: Record<string, unknown>;
  },
  timeMs: number,
  id: string = randomUUID(),
): EventEnvelope {
  return {
    version: "0",
    id,
    "detail-type": fields.detailType,
    source: fields.source,
    account: scope.accountId,
    time: eventTime(timeMs),
    region: scope.region,
    resources: fields.resources ?? [],
    detail: fields.detail,
  };
}

export interface RoutingContext {
  readonly matchers: BusMatchers;
  readonly queue: WorkQueue;
  readonly metrics?: DeliveryMetrics;
  /** Those watching buses live (`jeff events tail --bus`). */
  readonly taps?: BusTaps;
}

/** How an event is routed besides the usual. */
export interface RouteOptions {
  /** A replay's re-delivery: only to these rules (all when empty), and not archived again. */
  readonly replayRules?: ReadonlySet<string>;
  /** The entry's `Detail` as its sender wrote it, which an archive's size counts. */
  readonly detailText?: string;
}

/**
 * An event's size as an archive's `SizeBytes` counts it: its source, detail type, detail (as
 * sent), time and resources, in UTF-8 bytes. (AWS's answers: ten events of a 27-byte source and
 * detail type and an 85-byte detail came to 1,590 bytes, recorded: test_archive_and_replay.)
 */
export function archivedSize(event: EventEnvelope, detailText = JSON.stringify(event.detail)): number {
  let size = utf8Length(event.source) + utf8Length(event["detail-type"]) + utf8Length(detailText);
  size += utf8Length(event.time);
  for (const resource of event.resources) size += utf8Length(resource);
  return size;
}

/**
 * Puts an event on a bus: matches it against the bus's rules and archives, keeps it in each
 * matching archive and enqueues a delivery per matching target, in `tx`. A bus that does not exist
 * takes the event and delivers it nowhere, as on AWS. Returns how many deliveries were enqueued.
 */
export async function routeEvent(
  tx: SqlExecutor,
  routing: RoutingContext,
  scope: EventsScope,
  busName: string,
  event: EventEnvelope,
  ingestedAt: number,
  options: RouteOptions = {},
): Promise<number> {
  const replayRules = options.replayRules;
  const bus = await findBus(tx, scope, busName);
  if (!bus) return 0;
  let enqueued = 0;
  const matched = await routing.matchers.match(tx, scope, bus, event as unknown as Record<string, unknown>);
  // Watchers see the event once it is committed: never one that rolled back, nor twice for an
  // attempt the store ran again.
  const taps = routing.taps;
  if (taps) tx.afterCommit(() => taps.emit(scope, bus.name, event));
  const text = JSON.stringify(event);
  if (replayRules === undefined && matched.archives.length > 0) {
    const size = archivedSize(event, options.detailText);
    for (const archive of matched.archives)
      await archiveEvent(tx, scope, archive.name, event, text, size, ingestedAt);
  }
  for (const { rule, targets } of matched.rules) {
    if (replayRules !== undefined && replayRules.size > 0 && !replayRules.has(rule.arn)) continue;
    const metrics = routing.metrics;
    if (metrics && targets.length > 0) tx.afterCommit(() => metrics.matched(rule.arn, targets.length));
    for (const target of targets) {
      await routing.queue.enqueue(
        tx,
        deliveryJob({
          accountId: scope.accountId,
          region: scope.region,
          busName: bus.name,
          ruleName: rule.name,
          ruleArn: rule.arn,
          target,
          event: text,
          ingestedAt,
        }),
      );
      enqueued++;
    }
  }
  return enqueued;
}

/**
 * Another service's event onto the bus an ARN names, in that service's transaction, as EventBridge
 * takes an event from an AWS service (Lambda's destinations): the envelope filled in here, routed
 * as a PutEvents entry is. An event over an entry's size limit is refused, as PutEvents would
 * refuse it; a bus that does not exist takes it and delivers it nowhere, as on AWS. What the
 * subsystem provides as `putOnBus`.
 */
export function putOnBus(routing: RoutingContext): PutOnBus {
  return async (tx, busArn, fields) => {
    const { detailText } = fields;
    const size = entrySize({
      Source: fields.source,
      DetailType: fields.detailType,
      Detail: detailText,
      Resources: [...fields.resources],
    });
    if (size > putEventsSizeLimit) return "too large";
    const [, , , region = "", accountId = ""] = busArn.split(":");
    const scope = { accountId, region };
    const busName = busNameOf(busArn);
    if (!(await findBus(tx, scope, busName))) return "no such bus";
    const now = Date.now();
    await routeEvent(tx, routing, scope, busName, envelopeOf(scope, fields, now), now, { detailText });
    return "put";
  };
}

/** Every entry of a PutEvents request, in its transaction; the answer's entries in request order. */
export async function putEvents(
  tx: SqlExecutor,
  routing: RoutingContext,
  scope: EventsScope,
  entries: readonly PutEventsEntry[],
  now: number = Date.now(),
): Promise<{ results: PutEventsResultEntry[]; deliveries: number }> {
  const results: PutEventsResultEntry[] = [];
  let deliveries = 0;
  for (const entry of entries) {
    const checked = checkEntry(entry);
    if ("refused" in checked) {
      results.push(checked.refused);
      continue;
    }
    const { detail } = checked;
    const resources = Array.isArray(entry.Resources) ? (entry.Resources as string[]) : [];
    const event = envelopeOf(
      scope,
      { source: entry.Source as string, detailType: entry.DetailType as string, resources, detail },
      timeOf(entry, now),
    );
    deliveries += await routeEvent(tx, routing, scope, busNameOf(entry.EventBusName), event, now, {
      detailText: entry.Detail as string,
    });
    results.push({ EventId: event.id });
  }
  return { results, deliveries };
}
