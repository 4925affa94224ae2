/**
 * What IAM and the audit trail know of EventBridge's calls, declared once for the API and for the
 * template resource types, whose changes are the same calls made on a stack's behalf.
 */
import { mutates, noResources, type OperationTraits, reads } from "../protocol/index.js";
import { archiveArn } from "./archive-records.js";
import { busArn, busNameOf, ruleArn } from "./bus-records.js";
import { replayArn } from "./replay-records.js";

const scopeOf = (call: Parameters<OperationTraits["resources"]>[1]) => ({
  accountId: call.caller.accountId,
  region: call.region,
});

/** The bus a call names by `Name` (the bus calls) or `EventBusName`. */
const onBus =
  (member: "Name" | "EventBusName"): OperationTraits["resources"] =>
  (params, call) => {
    const name = busNameOf(params[member]);
    return [{ type: "AWS::Events::EventBus", name, arn: busArn(scopeOf(call), name) }];
  };

/** The rule a call names by `Name` or `Rule`, on `EventBusName`. */
const onRule =
  (member: "Name" | "Rule"): OperationTraits["resources"] =>
  (params, call) => {
    const name = params[member];
    if (typeof name !== "string" || name === "") return [];
    const bus = busNameOf(params.EventBusName);
    return [{ type: "AWS::Events::Rule", name, arn: ruleArn(scopeOf(call), bus, name) }];
  };

const onArchive: OperationTraits["resources"] = (params, call) => {
  const name = params.ArchiveName;
  if (typeof name !== "string") return [];
  return [{ type: "AWS::Events::Archive", name, arn: archiveArn(scopeOf(call), name) }];
};

const onReplay: OperationTraits["resources"] = (params, call) => {
  const name = params.ReplayName;
  if (typeof name !== "string") return [];
  return [{ type: "AWS::Events::Replay", name, arn: replayArn(scopeOf(call), name) }];
};

/**
 * A connection or API destination, by `Name`. Their ARNs end with an id the name does not tell, so
 * the audit trail names the resource and its ARN up to the name.
 */
const onNamed =
  (type: string): OperationTraits["resources"] =>
  (params, call) => {
    const name = params.Name;
    if (typeof name !== "string") return [];
    const kind = type === "AWS::Events::Connection" ? "connection" : "api-destination";
    return [{ type, name, arn: `arn:aws:events:${call.region}:${call.caller.accountId}:${kind}/${name}` }];
  };

const onResourceArn: OperationTraits["resources"] = (params) => {
  const arn = params.ResourceARN;
  if (typeof arn !== "string") return [];
  const resource = arn.split(":").slice(5).join(":");
  const type = resource.startsWith("rule/") ? "AWS::Events::Rule" : "AWS::Events::EventBus";
  return [{ type, name: resource.slice(resource.lastIndexOf("/") + 1), arn }];
};

export const eventsOperations = {
  CreateEventBus: mutates("events:CreateEventBus", onBus("Name")),
  DescribeEventBus: reads("events:DescribeEventBus", onBus("Name")),
  DeleteEventBus: mutates("events:DeleteEventBus", onBus("Name")),
  ListEventBuses: reads("events:ListEventBuses", noResources),
  PutPermission: mutates("events:PutPermission", onBus("EventBusName")),
  RemovePermission: mutates("events:RemovePermission", onBus("EventBusName")),
  PutRule: mutates("events:PutRule", onRule("Name")),
  DescribeRule: reads("events:DescribeRule", onRule("Name")),
  ListRules: reads("events:ListRules", noResources),
  DeleteRule: mutates("events:DeleteRule", onRule("Name")),
  EnableRule: mutates("events:EnableRule", onRule("Name")),
  DisableRule: mutates("events:DisableRule", onRule("Name")),
  PutTargets: mutates("events:PutTargets", onRule("Rule")),
  RemoveTargets: mutates("events:RemoveTargets", onRule("Rule")),
  ListTargetsByRule: reads("events:ListTargetsByRule", onRule("Rule")),
  ListRuleNamesByTarget: reads("events:ListRuleNamesByTarget", noResources),
  TestEventPattern: reads("events:TestEventPattern", noResources),
  // A data event, as CloudTrail classes it: the events themselves are not management.
  PutEvents: mutates("events:PutEvents", onBus("EventBusName"), { dataEvent: true, hidden: ["Entries"] }),
  CreateArchive: mutates("events:CreateArchive", onArchive),
  DescribeArchive: reads("events:DescribeArchive", onArchive),
  UpdateArchive: mutates("events:UpdateArchive", onArchive),
  DeleteArchive: mutates("events:DeleteArchive", onArchive),
  ListArchives: reads("events:ListArchives", noResources),
  StartReplay: mutates("events:StartReplay", onReplay),
  DescribeReplay: reads("events:DescribeReplay", onReplay),
  ListReplays: reads("events:ListReplays", noResources),
  CancelReplay: mutates("events:CancelReplay", onReplay),
  CreateConnection: mutates("events:CreateConnection", onNamed("AWS::Events::Connection"), {
    hidden: ["AuthParameters"],
  }),
  DescribeConnection: reads("events:DescribeConnection", onNamed("AWS::Events::Connection")),
  UpdateConnection: mutates("events:UpdateConnection", onNamed("AWS::Events::Connection"), {
    hidden: ["AuthParameters"],
  }),
  DeleteConnection: mutates("events:DeleteConnection", onNamed("AWS::Events::Connection")),
  ListConnections: reads("events:ListConnections", noResources),
  CreateApiDestination: mutates("events:CreateApiDestination", onNamed("AWS::Events::ApiDestination")),
  DescribeApiDestination: reads("events:DescribeApiDestination", onNamed("AWS::Events::ApiDestination")),
  UpdateApiDestination: mutates("events:UpdateApiDestination", onNamed("AWS::Events::ApiDestination")),
  DeleteApiDestination: mutates("events:DeleteApiDestination", onNamed("AWS::Events::ApiDestination")),
  ListApiDestinations: reads("events:ListApiDestinations", noResources),
  TagResource: mutates("events:TagResource", onResourceArn),
  UntagResource: mutates("events:UntagResource", onResourceArn),
  ListTagsForResource: reads("events:ListTagsForResource", onResourceArn),
} as const;
