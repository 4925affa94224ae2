/**
 * `AWS::Events::EventBus`, `AWS::Events::Rule`, `AWS::Events::Archive`, `AWS::Events::Connection`
 * and `AWS::Events::ApiDestination` in templates. Each is the EventBridge calls
 * CloudFormation makes for it — CreateEventBus, PutRule, PutTargets, RemoveTargets, DeleteRule, … —
 * made through the API's own declared operations on the stack caller's behalf, so a rule from a
 * template and one from the CLI cannot differ.
 *
 * Ref: each one's name (a rule on a custom bus: `BUS|NAME`). GetAtt: `Arn`, and a bus's `Name`, an
 * archive's `ArchiveName`, a connection's `SecretArn`, an API destination's `ArnForPolicy`.
 */
import { createHash } from "node:crypto";
import { callOperationForStack } from "../operations/index.js";
import type { JsonService, OperationRunner } from "../protocol/index.js";
import {
  isFunctionCall,
  type ResourceContext,
  type ResourceHandler,
  type TemplateError,
} from "../templates/index.js";
import { busArn, defaultBusName, ruleArn } from "./bus-records.js";

/** CloudFormation's generated name: `<stack>-<LogicalId>-<suffix>`, at most `max` characters, the same on a retry. */
function generatedName(ctx: ResourceContext, max: number): string {
  const suffix = createHash("sha256")
    .update(`${ctx.stackId}/${ctx.logicalId}`)
    .digest("hex")
    .slice(0, 12)
    .toUpperCase();
  const head = `${ctx.stackName}-${ctx.logicalId}`.slice(0, max - suffix.length - 1);
  return `${head}-${suffix}`;
}

const text = (value: unknown): string | undefined =>
  value === undefined || value === null ? undefined : typeof value === "string" ? value : String(value);

/** A template's EventPattern is a JSON object (or, as CloudFormation also takes, its text). */
const patternText = (pattern: unknown): string | undefined =>
  pattern === undefined ? undefined : typeof pattern === "string" ? pattern : JSON.stringify(pattern);

function requireProps(props: unknown, path: string, names: readonly string[]): TemplateError[] {
  const p = (props ?? {}) as Record<string, unknown>;
  return names
    .filter((name) => p[name] === undefined)
    .map((name) => ({ path: `${path}.${name}`, message: `${name} is required` }));
}

export interface EventBusProps {
  Name: string;
  Description?: string;
  Policy?: unknown;
  Tags?: { Key: string; Value: string }[];
}

export function eventBusResource(
  calls: OperationRunner,
  service: () => JsonService,
): ResourceHandler<EventBusProps> {
  const call = (ctx: ResourceContext, operation: string, input: Record<string, unknown>) =>
    callOperationForStack(calls, ctx, service(), operation, input);
  const result = (ctx: ResourceContext, name: string) => ({
    physicalId: name,
    attributes: { Arn: busArn(ctx, name), Name: name },
  });
  const putPolicy = async (ctx: ResourceContext, name: string, policy: unknown) => {
    if (policy === undefined) return;
    await call(ctx, "PutPermission", {
      EventBusName: name,
      Policy: typeof policy === "string" ? policy : JSON.stringify(policy),
    });
  };
  return {
    type: "AWS::Events::EventBus",
    attributes: ["Arn", "Name", "Policy"],
    validateProperties: (props, path) => requireProps(props, path, ["Name"]),
    replaceOnChange: ["Name"],
    physicalIdFor: (props) => String(props.Name),
    async create(props, ctx) {
      const name = String(props.Name);
      await call(ctx, "CreateEventBus", {
        Name: name,
        ...(text(props.Description) !== undefined ? { Description: text(props.Description) } : {}),
        ...(props.Tags !== undefined ? { Tags: props.Tags } : {}),
      });
      await putPolicy(ctx, name, props.Policy);
      return result(ctx, name);
    },
    async update(physicalId, props, previous, ctx) {
      await putPolicy(ctx, physicalId, props.Policy);
      if (props.Policy === undefined && previous.Policy !== undefined) {
        await call(ctx, "RemovePermission", { EventBusName: physicalId, RemoveAllPermissions: true });
      }
      return result(ctx, physicalId);
    },
    async delete(physicalId, _props, ctx) {
      // Deleting a bus that is gone succeeds, as DeleteEventBus does.
      await call(ctx, "DeleteEventBus", { Name: physicalId });
    },
  };
}

export interface RuleProps {
  Name?: string;
  EventBusName?: string;
  EventPattern?: unknown;
  ScheduleExpression?: string;
  State?: string;
  Description?: string;
  RoleArn?: string;
  Targets?: Record<string, unknown>[];
}

/** A rule's physical id and Ref: its name, or `BUS|NAME` on a custom bus, as CloudFormation gives it. */
const ruleRef = (bus: string, name: string) => (bus === defaultBusName ? name : `${bus}|${name}`);

function fromRef(physicalId: string): { bus: string; name: string } {
  const bar = physicalId.indexOf("|");
  return bar === -1
    ? { bus: defaultBusName, name: physicalId }
    : { bus: physicalId.slice(0, bar), name: physicalId.slice(bar + 1) };
}

/** A custom bus named by ARN in a template is named by its name in the rule's id. */
const busOf = (props: RuleProps) => {
  const raw = text(props.EventBusName) ?? defaultBusName;
  const slash = raw.startsWith("arn:") ? raw.indexOf(":event-bus/") : -1;
  return slash === -1 ? raw : raw.slice(slash + ":event-bus/".length);
};

export function ruleResource(calls: OperationRunner, service: () => JsonService): ResourceHandler<RuleProps> {
  const call = (ctx: ResourceContext, operation: string, input: Record<string, unknown>) =>
    callOperationForStack(calls, ctx, service(), operation, input);
  const nameOf = (props: RuleProps, ctx: ResourceContext) => text(props.Name) ?? generatedName(ctx, 64);

  /** PutRule, then the targets made to be exactly the template's: removed ones removed, the rest put. */
  const write = async (
    bus: string,
    name: string,
    props: RuleProps,
    previous: RuleProps | undefined,
    ctx: ResourceContext,
  ) => {
    const pattern = patternText(props.EventPattern);
    await call(ctx, "PutRule", {
      Name: name,
      EventBusName: bus,
      ...(pattern !== undefined ? { EventPattern: pattern } : {}),
      ...(text(props.ScheduleExpression) !== undefined
        ? { ScheduleExpression: text(props.ScheduleExpression) }
        : {}),
      ...(text(props.State) !== undefined ? { State: text(props.State) } : {}),
      ...(text(props.Description) !== undefined ? { Description: text(props.Description) } : {}),
      ...(text(props.RoleArn) !== undefined ? { RoleArn: text(props.RoleArn) } : {}),
    });
    const targets = props.Targets ?? [];
    const kept = new Set(targets.map((target) => String(target.Id)));
    const removed = (previous?.Targets ?? [])
      .map((target) => String(target.Id))
      .filter((id) => !kept.has(id));
    if (removed.length > 0) await call(ctx, "RemoveTargets", { Rule: name, EventBusName: bus, Ids: removed });
    if (targets.length > 0) {
      const answer = (await call(ctx, "PutTargets", { Rule: name, EventBusName: bus, Targets: targets })) as {
        FailedEntries?: { TargetId: string; ErrorMessage: string }[];
      };
      const failed = answer.FailedEntries ?? [];
      if (failed.length > 0)
        throw new Error(failed.map((entry) => `target ${entry.TargetId}: ${entry.ErrorMessage}`).join("; "));
    }
    return { physicalId: ruleRef(bus, name), attributes: { Arn: ruleArn(ctx, bus, name) } };
  };

  return {
    type: "AWS::Events::Rule",
    attributes: ["Arn"],
    validateProperties(props, path) {
      const p = (props ?? {}) as Record<string, unknown>;
      const errors: TemplateError[] = [];
      if (p.EventPattern === undefined && p.ScheduleExpression === undefined) {
        errors.push({ path, message: "EventPattern or ScheduleExpression is required" });
      }
      const targets = p.Targets;
      if (targets !== undefined && !isFunctionCall(targets) && !Array.isArray(targets)) {
        errors.push({ path: `${path}.Targets`, message: "Targets must be a list" });
      }
      return errors;
    },
    replaceOnChange: ["Name", "EventBusName"],
    physicalIdFor: (props, ctx) => ruleRef(busOf(props), nameOf(props, ctx)),
    create: (props, ctx) => write(busOf(props), nameOf(props, ctx), props, undefined, ctx),
    update(physicalId, props, previous, ctx) {
      const { bus, name } = fromRef(physicalId);
      return write(bus, name, props, previous, ctx);
    },
    async delete(physicalId, _props, ctx) {
      const { bus, name } = fromRef(physicalId);
      const gone = notFoundIsGone;
      const listed = (await call(ctx, "ListTargetsByRule", { Rule: name, EventBusName: bus }).catch(gone)) as
        | { Targets?: { Id: string }[] }
        | undefined;
      const ids = (listed?.Targets ?? []).map((target) => target.Id);
      if (ids.length > 0)
        await call(ctx, "RemoveTargets", { Rule: name, EventBusName: bus, Ids: ids }).catch(gone);
      await call(ctx, "DeleteRule", { Name: name, EventBusName: bus }).catch(gone);
    },
  };
}

/** The answer of a Describe call made for a resource, as an object. */
type Answer = Record<string, unknown>;

export interface ArchiveProps {
  ArchiveName?: string;
  SourceArn: string;
  Description?: string;
  EventPattern?: unknown;
  RetentionDays?: number;
}

export function archiveResource(
  calls: OperationRunner,
  service: () => JsonService,
): ResourceHandler<ArchiveProps> {
  const call = (ctx: ResourceContext, operation: string, input: Record<string, unknown>) =>
    callOperationForStack(calls, ctx, service(), operation, input);
  const nameOf = (props: ArchiveProps, ctx: ResourceContext) =>
    text(props.ArchiveName) ?? generatedName(ctx, 48);
  const settings = (props: ArchiveProps) => {
    const pattern = patternText(props.EventPattern);
    return {
      ...(text(props.Description) !== undefined ? { Description: text(props.Description) } : {}),
      ...(pattern !== undefined ? { EventPattern: pattern } : {}),
      ...(props.RetentionDays !== undefined ? { RetentionDays: Number(props.RetentionDays) } : {}),
    };
  };
  const result = (answer: Answer, name: string) => ({
    physicalId: name,
    attributes: { Arn: answer.ArchiveArn, ArchiveName: name },
  });
  return {
    type: "AWS::Events::Archive",
    attributes: ["Arn", "ArchiveName"],
    validateProperties: (props, path) => requireProps(props, path, ["SourceArn"]),
    replaceOnChange: ["ArchiveName", "SourceArn"],
    physicalIdFor: (props, ctx) => nameOf(props, ctx),
    async create(props, ctx) {
      const name = nameOf(props, ctx);
      const answer = (await call(ctx, "CreateArchive", {
        ArchiveName: name,
        EventSourceArn: String(props.SourceArn),
        ...settings(props),
      })) as Answer;
      return result(answer, name);
    },
    async update(physicalId, props, _previous, ctx) {
      return result(
        (await call(ctx, "UpdateArchive", { ArchiveName: physicalId, ...settings(props) })) as Answer,
        physicalId,
      );
    },
    async delete(physicalId, _props, ctx) {
      await call(ctx, "DeleteArchive", { ArchiveName: physicalId }).catch(notFoundIsGone);
    },
  };
}

/** Already gone is fine: a recovered delete may run twice. */
const notFoundIsGone = (error: unknown) => {
  if ((error as { code?: string }).code !== "ResourceNotFoundException") throw error;
};

export interface ConnectionProps {
  Name?: string;
  AuthorizationType: string;
  AuthParameters: Record<string, unknown>;
  Description?: string;
}

export function connectionResource(
  calls: OperationRunner,
  service: () => JsonService,
): ResourceHandler<ConnectionProps> {
  const call = (ctx: ResourceContext, operation: string, input: Record<string, unknown>) =>
    callOperationForStack(calls, ctx, service(), operation, input);
  const nameOf = (props: ConnectionProps, ctx: ResourceContext) => text(props.Name) ?? generatedName(ctx, 64);
  const settings = (props: ConnectionProps) => ({
    AuthorizationType: String(props.AuthorizationType),
    AuthParameters: props.AuthParameters,
    ...(text(props.Description) !== undefined ? { Description: text(props.Description) } : {}),
  });
  const described = async (ctx: ResourceContext, name: string) => {
    const answer = (await call(ctx, "DescribeConnection", { Name: name })) as Answer;
    return { physicalId: name, attributes: { Arn: answer.ConnectionArn, SecretArn: answer.SecretArn } };
  };
  return {
    type: "AWS::Events::Connection",
    attributes: ["Arn", "SecretArn"],
    validateProperties: (props, path) => requireProps(props, path, ["AuthorizationType", "AuthParameters"]),
    replaceOnChange: ["Name"],
    physicalIdFor: (props, ctx) => nameOf(props, ctx),
    async create(props, ctx) {
      const name = nameOf(props, ctx);
      await call(ctx, "CreateConnection", { Name: name, ...settings(props) });
      return described(ctx, name);
    },
    async update(physicalId, props, _previous, ctx) {
      await call(ctx, "UpdateConnection", { Name: physicalId, ...settings(props) });
      return described(ctx, physicalId);
    },
    async delete(physicalId, _props, ctx) {
      await call(ctx, "DeleteConnection", { Name: physicalId }).catch(notFoundIsGone);
    },
  };
}

export interface ApiDestinationProps {
  Name?: string;
  ConnectionArn: string;
  InvocationEndpoint: string;
  HttpMethod: string;
  InvocationRateLimitPerSecond?: number;
  Description?: string;
}

export function apiDestinationResource(
  calls: OperationRunner,
  service: () => JsonService,
): ResourceHandler<ApiDestinationProps> {
  const call = (ctx: ResourceContext, operation: string, input: Record<string, unknown>) =>
    callOperationForStack(calls, ctx, service(), operation, input);
  const nameOf = (props: ApiDestinationProps, ctx: ResourceContext) =>
    text(props.Name) ?? generatedName(ctx, 64);
  const settings = (props: ApiDestinationProps) => ({
    ConnectionArn: String(props.ConnectionArn),
    InvocationEndpoint: String(props.InvocationEndpoint),
    HttpMethod: String(props.HttpMethod),
    ...(props.InvocationRateLimitPerSecond !== undefined
      ? { InvocationRateLimitPerSecond: Number(props.InvocationRateLimitPerSecond) }
      : {}),
    ...(text(props.Description) !== undefined ? { Description: text(props.Description) } : {}),
  });
  const result = (answer: Answer, name: string) => ({
    physicalId: name,
    attributes: { Arn: answer.ApiDestinationArn, ArnForPolicy: answer.ApiDestinationArn },
  });
  return {
    type: "AWS::Events::ApiDestination",
    attributes: ["Arn", "ArnForPolicy"],
    validateProperties: (props, path) =>
      requireProps(props, path, ["ConnectionArn", "InvocationEndpoint", "HttpMethod"]),
    replaceOnChange: ["Name"],
    physicalIdFor: (props, ctx) => nameOf(props, ctx),
    async create(props, ctx) {
      const name = nameOf(props, ctx);
      return result(
        (await call(ctx, "CreateApiDestination", { Name: name, ...settings(props) })) as Answer,
        name,
      );
    },
    async update(physicalId, props, _previous, ctx) {
      return result(
        (await call(ctx, "UpdateApiDestination", { Name: physicalId, ...settings(props) })) as Answer,
        physicalId,
      );
    },
    async delete(physicalId, _props, ctx) {
      await call(ctx, "DeleteApiDestination", { Name: physicalId }).catch(notFoundIsGone);
    },
  };
}
