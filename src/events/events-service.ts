/**
 * The EventBridge API (awsJson1_1, `AWSEvents.*`): buses and their policies, rules, targets,
 * tags, TestEventPattern and PutEvents. Input is decoded and checked against AWS's model at the
 * edge; what the model cannot say (a rule needs a pattern or a schedule, at most five targets, a
 * pattern's language) is checked here, in EventBridge's words.
 */
import { eventsModel, type JsonService, type RequestContext } from "../protocol/index.js";
import type { SqlExecutor, Store } from "../store/index.js";
import { page, scopeOf, seconds, str } from "./api-values.js";
import { type ArchiveOptions, archiveOperations } from "./archive-service.js";
import {
  type BusRecord,
  bumpRulesGeneration,
  busNameOf,
  defaultBusName,
  deleteBus,
  type EventsScope,
  insertBus,
  listBuses,
  requireBus,
  setBusPolicy,
} from "./bus-records.js";
import { connectionOperations } from "./connection-service.js";
import { eventsOperations } from "./event-operations.js";
import { eventsErrors } from "./events-errors.js";
import { compilePattern, parseTestEvent, RuleSet } from "./pattern/index.js";
import { checkRequestSize, type PutEventsEntry, putEvents, type RoutingContext } from "./put-events.js";
import { listTags, putTags, removeTags, requireTaggable, type Tag } from "./resource-tags.js";
import {
  deleteRule,
  deleteTarget,
  findRule,
  listRules,
  listTargets,
  putRule,
  putTarget,
  type RuleRecord,
  type RuleState,
  ruleNamesByTarget,
  setRuleState,
  type TargetDefinition,
} from "./rule-records.js";
import { parseScheduleExpression } from "./schedule-expression.js";
import { checkTargetInputs, checkTargets } from "./target-checks.js";

/** At most this many targets per rule, as on AWS. */
export const targetsPerRule = 5;

function busEntry(bus: BusRecord): Record<string, unknown> {
  return {
    Name: bus.name,
    Arn: bus.arn,
    ...(bus.description !== undefined ? { Description: bus.description } : {}),
    ...(bus.kmsKeyIdentifier !== undefined ? { KmsKeyIdentifier: bus.kmsKeyIdentifier } : {}),
    ...(bus.deadLetterArn !== undefined ? { DeadLetterConfig: { Arn: bus.deadLetterArn } } : {}),
    ...(bus.policy !== undefined ? { Policy: bus.policy } : {}),
    ...(bus.createdAt > 0
      ? { CreationTime: seconds(bus.createdAt), LastModifiedTime: seconds(bus.modifiedAt) }
      : {}),
  };
}

function ruleEntry(rule: RuleRecord): Record<string, unknown> {
  return {
    Name: rule.name,
    Arn: rule.arn,
    ...(rule.eventPattern !== undefined ? { EventPattern: rule.eventPattern } : {}),
    ...(rule.scheduleExpression !== undefined ? { ScheduleExpression: rule.scheduleExpression } : {}),
    State: rule.state,
    ...(rule.description !== undefined ? { Description: rule.description } : {}),
    ...(rule.roleArn !== undefined ? { RoleArn: rule.roleArn } : {}),
    ...(rule.managedBy !== undefined ? { ManagedBy: rule.managedBy } : {}),
    EventBusName: rule.busName,
  };
}

function checkRule(input: Record<string, unknown>, bus: string): void {
  const pattern = str(input.EventPattern);
  const schedule = str(input.ScheduleExpression);
  if (!pattern && !schedule) throw eventsErrors.patternOrSchedule();
  if (schedule) {
    if (bus !== defaultBusName) throw eventsErrors.scheduleOnlyOnDefault();
    if (!parseScheduleExpression(schedule)) throw eventsErrors.scheduleNotValid();
  }
  if (pattern) compilePattern(pattern);
}

async function requireRule(
  db: SqlExecutor,
  scope: EventsScope,
  bus: string,
  name: string,
): Promise<RuleRecord> {
  await requireBus(db, scope, bus);
  const rule = await findRule(db, scope, bus, name);
  if (!rule) throw eventsErrors.ruleNotFound(name, bus);
  return rule;
}

/** A bus's policy with one statement more (PutPermission), or the policy it was given whole. */
function policyWith(bus: BusRecord, input: Record<string, unknown>): string {
  if (typeof input.Policy === "string") return input.Policy;
  const principal = str(input.Principal) ?? "*";
  const statement = {
    Sid: str(input.StatementId),
    Effect: "Allow",
    Principal: principal === "*" ? "*" : { AWS: `arn:aws:iam::${principal}:root` },
    Action: str(input.Action) ?? "events:PutEvents",
    Resource: bus.arn,
    ...(input.Condition !== undefined
      ? { Condition: conditionOf(input.Condition as Record<string, string>) }
      : {}),
  };
  const policy =
    bus.policy !== undefined
      ? (JSON.parse(bus.policy) as { Version: string; Statement: Record<string, unknown>[] })
      : { Version: "2012-10-17", Statement: [] };
  policy.Statement = [...policy.Statement.filter((existing) => existing.Sid !== statement.Sid), statement];
  return JSON.stringify(policy);
}

/** PutPermission's Condition (`Type`, `Key`, `Value`) as a policy condition. */
function conditionOf(condition: Record<string, string>): Record<string, unknown> {
  return {
    [condition.Type === "StringEquals" ? "StringEquals" : String(condition.Type)]: {
      [String(condition.Key)]: condition.Value,
    },
  };
}

/**
 * The API over `store`. `routing` (the matchers and the queue) is what PutEvents needs; the
 * template resource types, built offline too (`jeff validate`), call the rest without it.
 */
export function createEventsService(
  store: Store,
  routing?: RoutingContext,
  options: ArchiveOptions = {},
): JsonService {
  const ops = eventsOperations;
  return {
    signingName: "events",
    model: eventsModel,
    protocol: "awsJson1_1",
    targetPrefix: "AWSEvents",
    operations: {
      ...archiveOperations(store, routing, options),
      ...connectionOperations(store),
      CreateEventBus: {
        ...ops.CreateEventBus,
        handler: async (input, ctx) => {
          const tags = (input.Tags ?? []) as Tag[];
          const bus = await ctx.transaction(async (tx) => {
            const created = await insertBus(
              tx,
              scopeOf(ctx),
              {
                name: String(input.Name),
                ...(str(input.Description) !== undefined ? { description: str(input.Description)! } : {}),
                ...(str(input.KmsKeyIdentifier) !== undefined
                  ? { kmsKeyIdentifier: str(input.KmsKeyIdentifier)! }
                  : {}),
                ...(str((input.DeadLetterConfig as { Arn?: string } | undefined)?.Arn) !== undefined
                  ? { deadLetterArn: (input.DeadLetterConfig as { Arn: string }).Arn }
                  : {}),
              },
              Date.now(),
            );
            await putTags(tx, created.arn, tags);
            return created;
          });
          return {
            EventBusArn: bus.arn,
            ...(bus.description !== undefined ? { Description: bus.description } : {}),
            ...(bus.kmsKeyIdentifier !== undefined ? { KmsKeyIdentifier: bus.kmsKeyIdentifier } : {}),
            ...(bus.deadLetterArn !== undefined ? { DeadLetterConfig: { Arn: bus.deadLetterArn } } : {}),
          };
        },
      },
      DescribeEventBus: {
        ...ops.DescribeEventBus,
        handler: async (input, ctx) => busEntry(await requireBus(store, scopeOf(ctx), busNameOf(input.Name))),
      },
      DeleteEventBus: {
        ...ops.DeleteEventBus,
        handler: async (input, ctx) => {
          const name = String(input.Name);
          if (name === defaultBusName) throw eventsErrors.deleteDefaultBus();
          await ctx.transaction((tx) => deleteBus(tx, scopeOf(ctx), name));
          return {};
        },
      },
      ListEventBuses: {
        ...ops.ListEventBuses,
        handler: async (input, ctx) => {
          const buses = await listBuses(store, scopeOf(ctx), str(input.NamePrefix) ?? "");
          const { items, nextToken } = page(buses, input);
          return { EventBuses: items.map(busEntry), ...(nextToken ? { NextToken: nextToken } : {}) };
        },
      },
      PutPermission: {
        ...ops.PutPermission,
        handler: async (input, ctx) => {
          const scope = scopeOf(ctx);
          const name = busNameOf(input.EventBusName);
          await ctx.transaction(async (tx) => {
            const bus = await requireBus(tx, scope, name);
            if (typeof input.Policy !== "string" && str(input.StatementId) === undefined) {
              throw eventsErrors.statementIdRequired();
            }
            await setBusPolicy(tx, scope, name, policyWith(bus, input), Date.now());
          });
          return {};
        },
      },
      RemovePermission: {
        ...ops.RemovePermission,
        handler: async (input, ctx) => {
          const scope = scopeOf(ctx);
          const name = busNameOf(input.EventBusName);
          await ctx.transaction(async (tx) => {
            const bus = await requireBus(tx, scope, name);
            if (input.RemoveAllPermissions === true) {
              await setBusPolicy(tx, scope, name, undefined, Date.now());
              return;
            }
            const sid = str(input.StatementId);
            if (sid === undefined) throw eventsErrors.statementIdRequired();
            const policy =
              bus.policy !== undefined
                ? (JSON.parse(bus.policy) as { Statement: { Sid?: string }[] })
                : undefined;
            const kept = policy?.Statement.filter((statement) => statement.Sid !== sid) ?? [];
            if (policy === undefined || kept.length === policy.Statement.length)
              throw eventsErrors.statementNotFound();
            await setBusPolicy(
              tx,
              scope,
              name,
              kept.length === 0 ? undefined : JSON.stringify({ ...policy, Statement: kept }),
              Date.now(),
            );
          });
          return {};
        },
      },
      PutRule: {
        ...ops.PutRule,
        handler: async (input, ctx) => {
          const scope = scopeOf(ctx);
          const bus = busNameOf(input.EventBusName);
          checkRule(input, bus);
          const arn = await ctx.transaction(async (tx) => {
            await requireBus(tx, scope, bus);
            const ruleArn = await putRule(
              tx,
              scope,
              bus,
              {
                name: String(input.Name),
                ...(str(input.EventPattern) ? { eventPattern: str(input.EventPattern)! } : {}),
                ...(str(input.ScheduleExpression)
                  ? { scheduleExpression: str(input.ScheduleExpression)! }
                  : {}),
                state: (str(input.State) as RuleState | undefined) ?? "ENABLED",
                ...(str(input.Description) !== undefined ? { description: str(input.Description)! } : {}),
                ...(str(input.RoleArn) !== undefined ? { roleArn: str(input.RoleArn)! } : {}),
              },
              ctx.caller.accountId,
              Date.now(),
            );
            await putTags(tx, ruleArn, (input.Tags ?? []) as Tag[]);
            return ruleArn;
          });
          return { RuleArn: arn };
        },
      },
      DescribeRule: {
        ...ops.DescribeRule,
        handler: async (input, ctx) => {
          const rule = await requireRule(
            store,
            scopeOf(ctx),
            busNameOf(input.EventBusName),
            String(input.Name),
          );
          return { ...ruleEntry(rule), CreatedBy: rule.createdBy };
        },
      },
      ListRules: {
        ...ops.ListRules,
        handler: async (input, ctx) => {
          const scope = scopeOf(ctx);
          const bus = busNameOf(input.EventBusName);
          await requireBus(store, scope, bus);
          const { items, nextToken } = page(
            await listRules(store, scope, bus, str(input.NamePrefix) ?? ""),
            input,
          );
          return { Rules: items.map(ruleEntry), ...(nextToken ? { NextToken: nextToken } : {}) };
        },
      },
      DeleteRule: {
        ...ops.DeleteRule,
        handler: async (input, ctx) => {
          const scope = scopeOf(ctx);
          const bus = busNameOf(input.EventBusName);
          const name = String(input.Name);
          await ctx.transaction(async (tx) => {
            await requireBus(tx, scope, bus);
            const rule = await findRule(tx, scope, bus, name);
            if (!rule) return;
            if (rule.managedBy !== undefined && input.Force !== true) throw eventsErrors.managedRule(name);
            if ((await listTargets(tx, scope, bus, name)).length > 0) {
              throw eventsErrors.ruleHasTargets();
            }
            await deleteRule(tx, scope, bus, name, Date.now());
          });
          return {};
        },
      },
      EnableRule: { ...ops.EnableRule, handler: (input, ctx) => setState(input, ctx, "ENABLED") },
      DisableRule: { ...ops.DisableRule, handler: (input, ctx) => setState(input, ctx, "DISABLED") },
      PutTargets: {
        ...ops.PutTargets,
        handler: async (input, ctx) => {
          const scope = scopeOf(ctx);
          const bus = busNameOf(input.EventBusName);
          const ruleName = String(input.Rule);
          const targets = (input.Targets ?? []) as TargetDefinition[];
          checkTargetInputs(targets);
          return ctx.transaction(async (tx) => {
            await requireBus(tx, scope, bus);
            if (!(await findRule(tx, scope, bus, ruleName))) throw eventsErrors.ruleNotFound(ruleName, bus);
            const failed = checkTargets(targets);
            const existing = new Set(
              (await listTargets(tx, scope, bus, ruleName)).map((target) => target.Id),
            );
            const refused = new Set(failed.map((entry) => entry.TargetId));
            for (const target of targets) {
              if (refused.has(target.Id)) continue;
              if (!existing.has(target.Id) && existing.size >= targetsPerRule)
                throw eventsErrors.limitExceeded();
              existing.add(target.Id);
              await putTarget(tx, scope, bus, ruleName, target);
            }
            if (failed.length < targets.length) await bumpRulesGeneration(tx, scope, bus, Date.now());
            return { FailedEntryCount: failed.length, FailedEntries: failed };
          });
        },
      },
      RemoveTargets: {
        ...ops.RemoveTargets,
        handler: async (input, ctx) => {
          const scope = scopeOf(ctx);
          const bus = busNameOf(input.EventBusName);
          const ruleName = String(input.Rule);
          const ids = (input.Ids ?? []) as string[];
          return ctx.transaction(async (tx) => {
            const rule = await requireRule(tx, scope, bus, ruleName);
            const failed: Record<string, string>[] = [];
            for (const id of ids) {
              if (rule.managedBy !== undefined && input.Force !== true) {
                failed.push({
                  TargetId: id,
                  ErrorCode: "ManagedRuleException",
                  ErrorMessage: eventsErrors.managedRule(ruleName).message,
                });
              } else if (!(await deleteTarget(tx, scope, bus, ruleName, id))) {
                failed.push({
                  TargetId: id,
                  ErrorCode: "ResourceNotFoundException",
                  ErrorMessage: `Rule '${ruleName}' does not have a target with the Id '${id}'.`,
                });
              }
            }
            if (failed.length < ids.length) await bumpRulesGeneration(tx, scope, bus, Date.now());
            return { FailedEntryCount: failed.length, FailedEntries: failed };
          });
        },
      },
      ListTargetsByRule: {
        ...ops.ListTargetsByRule,
        handler: async (input, ctx) => {
          const scope = scopeOf(ctx);
          const bus = busNameOf(input.EventBusName);
          const ruleName = String(input.Rule);
          await requireRule(store, scope, bus, ruleName);
          const { items, nextToken } = page(await listTargets(store, scope, bus, ruleName), input);
          return { Targets: items, ...(nextToken ? { NextToken: nextToken } : {}) };
        },
      },
      ListRuleNamesByTarget: {
        ...ops.ListRuleNamesByTarget,
        handler: async (input, ctx) => {
          const scope = scopeOf(ctx);
          const bus = busNameOf(input.EventBusName);
          await requireBus(store, scope, bus);
          const names = await ruleNamesByTarget(store, scope, bus, String(input.TargetArn));
          const { items, nextToken } = page(names, input);
          return { RuleNames: items, ...(nextToken ? { NextToken: nextToken } : {}) };
        },
      },
      TestEventPattern: {
        ...ops.TestEventPattern,
        handler: async (input) => {
          const pattern = compilePattern(String(input.EventPattern));
          const event = parseTestEvent(String(input.Event));
          return { Result: new RuleSet<true>().set(true, pattern).matches(event).length > 0 };
        },
      },
      PutEvents: {
        ...ops.PutEvents,
        handler: async (input, ctx) => {
          const entries = (input.Entries ?? []) as PutEventsEntry[];
          if (routing === undefined) throw new TypeError("PutEvents needs the running subsystem's routing");
          checkRequestSize(entries);
          const { results, deliveries } = await ctx.transaction((tx) =>
            putEvents(tx, routing, scopeOf(ctx), entries),
          );
          if (deliveries > 0) routing.queue.wake();
          const failed = results.filter((entry) => "ErrorCode" in entry).length;
          return { FailedEntryCount: failed, Entries: results };
        },
      },
      TagResource: {
        ...ops.TagResource,
        handler: async (input, ctx) => {
          const arn = String(input.ResourceARN);
          await ctx.transaction(async (tx) => {
            await requireTaggable(tx, scopeOf(ctx), arn);
            await putTags(tx, arn, (input.Tags ?? []) as Tag[]);
          });
          return {};
        },
      },
      UntagResource: {
        ...ops.UntagResource,
        handler: async (input, ctx) => {
          const arn = String(input.ResourceARN);
          await ctx.transaction(async (tx) => {
            await requireTaggable(tx, scopeOf(ctx), arn);
            await removeTags(tx, arn, (input.TagKeys ?? []) as string[]);
          });
          return {};
        },
      },
      ListTagsForResource: {
        ...ops.ListTagsForResource,
        handler: async (input, ctx) => {
          const arn = String(input.ResourceARN);
          await requireTaggable(store, scopeOf(ctx), arn);
          return { Tags: await listTags(store, arn) };
        },
      },
    },
  };

  async function setState(input: Record<string, unknown>, ctx: RequestContext, state: RuleState) {
    const scope = scopeOf(ctx);
    const bus = busNameOf(input.EventBusName);
    const name = String(input.Name);
    await ctx.transaction(async (tx) => {
      await requireBus(tx, scope, bus);
      if (!(await setRuleState(tx, scope, bus, name, state, Date.now())))
        throw eventsErrors.ruleNotFound(name, bus);
    });
    return {};
  }
}
