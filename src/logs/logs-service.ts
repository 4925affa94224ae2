/**
 * The CloudWatch Logs calls that reading a function's logs needs (awsJson1_1, `Logs_20140328.*`):
 * what `aws logs tail`, `aws logs filter-log-events` and `jeff logs` use.
 */

import {
  type JsonService,
  logsModel,
  type OperationTraits,
  type RequestContext,
  reads,
} from "../protocol/index.js";
import type { Store } from "../store/index.js";
import { FilterPatternError, type FilterTerms, parseFilterPattern } from "./filter-pattern.js";
import { flushLogEvents, type LogScope, logGroups, logStreams, queryLogEvents } from "./log-store.js";
import { logsErrors } from "./logs-errors.js";

const scopeOf = (ctx: RequestContext): LogScope => ({ accountId: ctx.caller.accountId, region: ctx.region });

const { invalid, noGroup } = logsErrors;

function groupName(input: Record<string, unknown>): string {
  const raw = input.logGroupName ?? input.logGroupIdentifier;
  if (typeof raw !== "string" || raw.length === 0) {
    throw logsErrors.missing("logGroupName");
  }
  // An identifier may be the group's ARN: arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]
  const arn = /^arn:aws[a-zA-Z-]*:logs:[^:]*:\d{12}:log-group:(.+?)(:\*)?$/.exec(raw);
  return arn ? arn[1]! : raw;
}

/** The log group a call reads, when it names one. */
const onLogGroup: OperationTraits["resources"] = (params, call) => {
  const raw = params.logGroupName ?? params.logGroupIdentifier;
  if (typeof raw !== "string" || raw.length === 0) return [];
  const name = groupName(params as Record<string, unknown>);
  const scope = { accountId: call.caller.accountId, region: call.region };
  return [{ type: "AWS::Logs::LogGroup", name, arn: arnOf(scope, name).replace(/:\*$/, "") }];
};

function optionalNumber(input: Record<string, unknown>, field: string): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw invalid(`${field} must be a number`);
  return value;
}

function limitOf(input: Record<string, unknown>, max: number): number {
  const limit = optionalNumber(input, "limit") ?? max;
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw logsErrors.outOfRange("limit", limit, max);
  }
  return limit;
}

/** A filter pattern's terms (`filter-pattern.ts`); undefined for one that matches everything. */
function filterTerms(pattern: unknown): FilterTerms | undefined {
  if (pattern === undefined) return undefined;
  if (typeof pattern !== "string") throw invalid("filterPattern must be a string");
  try {
    return parseFilterPattern(pattern);
  } catch (error) {
    if (error instanceof FilterPatternError) throw invalid(`filterPattern: ${error.message}`);
    throw error;
  }
}

const token = {
  encode: (id: string) => Buffer.from(id).toString("base64url"),
  decode: (t: unknown) => (typeof t === "string" ? Buffer.from(t, "base64url").toString() : undefined),
};

function arnOf(scope: LogScope, group: string, stream?: string): string {
  return `arn:aws:logs:${scope.region}:${scope.accountId}:log-group:${group}${stream ? `:log-stream:${stream}` : ":*"}`;
}

export function createLogsService(db: Store): JsonService {
  const requireGroup = async (scope: LogScope, group: string) => {
    if ((await queryLogEvents(db, scope, { logGroup: group, limit: 1 })).length === 0) throw noGroup();
  };
  return {
    signingName: "logs",
    model: logsModel,
    protocol: "awsJson1_1",
    targetPrefix: "Logs_20140328",
    operations: {
      FilterLogEvents: {
        ...reads("logs:FilterLogEvents", onLogGroup, { dataEvent: true }),
        handler: async (input, ctx) => {
          // Read your writes: lines of invocations that have finished are committed first.
          await flushLogEvents(db);
          const scope = scopeOf(ctx);
          const group = groupName(input);
          await requireGroup(scope, group);
          const streams = Array.isArray(input.logStreamNames) ? input.logStreamNames.map(String) : undefined;
          const limit = limitOf(input, 10_000);
          const startTime = optionalNumber(input, "startTime");
          const endTime = optionalNumber(input, "endTime");
          const terms = filterTerms(input.filterPattern);
          const after = token.decode(input.nextToken);
          const events = await queryLogEvents(db, scope, {
            logGroup: group,
            ...(streams ? { logStreams: streams } : {}),
            ...(startTime !== undefined ? { startTime } : {}),
            ...(endTime !== undefined ? { endTime } : {}),
            ...(terms ? { terms } : {}),
            ...(after ? { after } : {}),
            limit: limit + 1,
          });
          const shown = events.slice(0, limit);
          const last = shown.at(-1);
          return {
            events: shown.map((e) => ({
              logStreamName: e.logStream,
              timestamp: e.timestamp,
              message: e.message,
              ingestionTime: e.ingestionTime,
              eventId: e.eventId,
            })),
            searchedLogStreams: [...new Set(shown.map((e) => e.logStream))].map((logStreamName) => ({
              logStreamName,
              searchedCompletely: true,
            })),
            ...(events.length > limit && last ? { nextToken: token.encode(last.eventId) } : {}),
          };
        },
      },
      GetLogEvents: {
        ...reads("logs:GetLogEvents", onLogGroup, { dataEvent: true }),
        handler: async (input, ctx) => {
          await flushLogEvents(db);
          const scope = scopeOf(ctx);
          const group = groupName(input);
          if (typeof input.logStreamName !== "string") throw invalid("logStreamName is required");
          await requireGroup(scope, group);
          const after = token.decode(input.nextToken);
          const startTime = optionalNumber(input, "startTime");
          const endTime = optionalNumber(input, "endTime");
          const events = await queryLogEvents(db, scope, {
            logGroup: group,
            logStreams: [input.logStreamName],
            ...(startTime !== undefined ? { startTime } : {}),
            ...(endTime !== undefined ? { endTime } : {}),
            ...(after ? { after } : {}),
            limit: limitOf(input, 10_000),
          });
          const last = events.at(-1)?.eventId ?? after ?? "";
          return {
            events: events.map((e) => ({
              timestamp: e.timestamp,
              message: e.message,
              ingestionTime: e.ingestionTime,
            })),
            nextForwardToken: `f/${token.encode(last)}`,
            nextBackwardToken: `b/${token.encode(last)}`,
          };
        },
      },
      DescribeLogGroups: {
        ...reads("logs:DescribeLogGroups"),
        handler: async (input, ctx) => {
          await flushLogEvents(db);
          const scope = scopeOf(ctx);
          const prefix = typeof input.logGroupNamePrefix === "string" ? input.logGroupNamePrefix : "";
          const groups = await logGroups(db, scope, prefix);
          return {
            logGroups: groups.map((g) => ({
              logGroupName: g.name,
              creationTime: g.first,
              storedBytes: g.bytes,
              arn: arnOf(scope, g.name),
              logGroupArn: arnOf(scope, g.name).replace(/:\*$/, ""),
            })),
          };
        },
      },
      DescribeLogStreams: {
        ...reads("logs:DescribeLogStreams", onLogGroup),
        handler: async (input, ctx) => {
          await flushLogEvents(db);
          const scope = scopeOf(ctx);
          const group = groupName(input);
          await requireGroup(scope, group);
          const streams = await logStreams(db, scope, group);
          return {
            logStreams: streams.map((s) => ({
              logStreamName: s.name,
              creationTime: s.first,
              firstEventTimestamp: s.first,
              lastEventTimestamp: s.last,
              lastIngestionTime: s.lastIngestion,
              arn: arnOf(scope, group, s.name),
              storedBytes: 0,
            })),
          };
        },
      },
    },
  };
}
