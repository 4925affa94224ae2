/**
 * CloudTrail's event history (awsJson1_1): `LookupEvents` over the management events of the
 * caller's account and region, newest first, 50 at most a page, for the retention period.
 */
import type { JsonService } from "../protocol/index.js";
import type { Store } from "../store/index.js";
import { type AuditRow, type LookupKey, queryAuditEntries } from "./audit-trail.js";
import { cloudTrailErrors } from "./cloudtrail-errors.js";

const lookupKeys: readonly LookupKey[] = [
  "EventId",
  "EventName",
  "ReadOnly",
  "Username",
  "ResourceType",
  "ResourceName",
  "EventSource",
  "AccessKeyId",
];

interface PageToken {
  /** The event id the next page continues below. */
  readonly before: string;
  /** The query the token continues: another query's token is refused, as CloudTrail does. */
  readonly query: string;
}

export interface CloudTrailServiceOptions {
  readonly store: Store;
  /** Commits read-only records still gathering, so a lookup sees every call answered before it. */
  readonly flush: () => Promise<void>;
  readonly retentionMs: number;
  readonly now?: () => number;
}

export function createCloudTrailService(options: CloudTrailServiceOptions): JsonService {
  const now = options.now ?? Date.now;
  return {
    // No model: CloudTrail answers its own errors (InvalidMaxResultsException, …) where the
    // model's constraints would give ValidationException.
    signingName: "cloudtrail",
    protocol: "awsJson1_1",
    targetPrefix: "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101",
    operations: {
      LookupEvents: {
        action: "cloudtrail:LookupEvents",
        readOnly: true,
        resources: () => [],
        handler: async (input, ctx) => {
          const attribute = lookupAttribute(input.LookupAttributes);
          const endMs = timeOf(input.EndTime, "EndTime") ?? now();
          const startMs = timeOf(input.StartTime, "StartTime") ?? now() - options.retentionMs;
          if (startMs > endMs) throw cloudTrailErrors.timeRange();
          const limit = maxResultsOf(input.MaxResults);
          if (input.EventCategory !== undefined && input.EventCategory !== "insight") {
            throw cloudTrailErrors.category();
          }
          // Jeff records no Insights events: asking for them finds none.
          if (input.EventCategory === "insight") return { Events: [] };
          const queryKey = JSON.stringify([attribute, input.StartTime ?? null, input.EndTime ?? null]);
          const token = pageToken(input.NextToken, queryKey);
          await options.flush();
          const rows = await queryAuditEntries(options.store, {
            accountId: ctx.caller.accountId,
            region: ctx.region,
            ...(attribute ? { attribute } : {}),
            startMs,
            endMs,
            ...(token ? { before: token.before } : {}),
            limit: limit + 1,
          });
          const page = rows.slice(0, limit);
          const next =
            rows.length > limit
              ? Buffer.from(
                  JSON.stringify({ before: page[page.length - 1]!.record.eventID, query: queryKey }),
                ).toString("base64url")
              : undefined;
          return { Events: page.map(describeEvent), ...(next ? { NextToken: next } : {}) };
        },
      },
    },
  };
}

function describeEvent(row: AuditRow) {
  const { record } = row;
  return {
    EventId: record.eventID,
    EventName: record.eventName,
    ReadOnly: String(record.readOnly),
    AccessKeyId: record.userIdentity.accessKeyId,
    EventTime: Math.floor(row.eventTimeMs / 1000),
    EventSource: record.eventSource,
    ...(record.userIdentity.userName !== undefined ? { Username: record.userIdentity.userName } : {}),
    Resources: row.resources.map((r) => ({ ResourceType: r.type, ResourceName: r.name })),
    CloudTrailEvent: JSON.stringify(record),
  };
}

function lookupAttribute(value: unknown): { key: LookupKey; value: string } | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw cloudTrailErrors.attributes("LookupAttributes must be a list.");
  if (value.length === 0) return undefined;
  if (value.length > 1) {
    throw cloudTrailErrors.attributes("You cannot specify more than one lookup attribute.");
  }
  const { AttributeKey: key, AttributeValue: text } = (value[0] ?? {}) as Record<string, unknown>;
  if (typeof key !== "string" || !lookupKeys.includes(key as LookupKey)) {
    throw cloudTrailErrors.attributes(
      `AttributeKey must be one of ${lookupKeys.join(", ")}, not ${JSON.stringify(key ?? null)}.`,
    );
  }
  if (typeof text !== "string" || text.length === 0 || text.length > 2000) {
    throw cloudTrailErrors.attributes("AttributeValue must be a string of 1 to 2000 characters.");
  }
  return { key: key as LookupKey, value: text };
}

/** Timestamps arrive as epoch seconds (what the CLI and SDKs send) or ISO text. */
function timeOf(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" && Number.isFinite(value)) return Math.round(value * 1000);
  if (typeof value === "string" && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  throw cloudTrailErrors.notATimestamp(field);
}

function maxResultsOf(value: unknown): number {
  if (value === undefined || value === null) return 50;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 50) {
    throw cloudTrailErrors.maxResults();
  }
  return value;
}

function pageToken(value: unknown, query: string): PageToken | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw cloudTrailErrors.nextToken();
  try {
    const token = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as PageToken;
    if (typeof token.before !== "string" || token.query !== query) throw cloudTrailErrors.nextToken();
    return token;
  } catch {
    throw cloudTrailErrors.nextToken();
  }
}
