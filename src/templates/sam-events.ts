/**
 * SAM's event sources on a function, expanded as the `AWS::Serverless-2016-10-31` transform
 * expands them, into the resources they stand for. Today: `EventBridgeRule` and `CloudWatchEvent`
 * (the same thing under its old name), each an `AWS::Events::Rule` named `<Function><Event>` whose
 * target is the function, and an `AWS::Lambda::Permission` `<Function><Event>Permission` letting
 * EventBridge invoke it. Other event types are left for the function's own validation to refuse.
 */
import { isPlainObject, type JsonObject, ownValue, setOwn } from "./json-values.js";

/** The event types expanded here. */
export const expandedSamEventTypes: ReadonlySet<string> = new Set(["EventBridgeRule", "CloudWatchEvent"]);

/** Target members the event passes through to the rule's one target, as SAM does. */
const targetMembers = ["Input", "InputPath", "InputTransformer", "RetryPolicy", "DeadLetterConfig"] as const;

function ruleFor(
  functionId: string,
  eventId: string,
  properties: JsonObject,
  condition: unknown,
): JsonObject {
  const target: JsonObject = {
    Arn: { "Fn::GetAtt": [functionId, "Arn"] },
    Id:
      (isPlainObject(properties.Target) ? ownValue(properties.Target, "Id") : undefined) ??
      `${functionId}${eventId}LambdaTarget`,
  };
  for (const member of targetMembers) {
    const value = ownValue(properties, member);
    if (value !== undefined) setOwn(target, member, value);
  }
  const rule: JsonObject = { Targets: [target] };
  const copied: Array<[string, string]> = [
    ["Pattern", "EventPattern"],
    ["EventBusName", "EventBusName"],
    ["RuleName", "Name"],
    ["State", "State"],
    ["Description", "Description"],
  ];
  for (const [from, to] of copied) {
    const value = ownValue(properties, from);
    if (value !== undefined) setOwn(rule, to, value);
  }
  return {
    Type: "AWS::Events::Rule",
    ...(condition !== undefined ? { Condition: condition } : {}),
    Properties: rule,
  };
}

function permissionFor(functionId: string, ruleId: string, condition: unknown): JsonObject {
  return {
    Type: "AWS::Lambda::Permission",
    ...(condition !== undefined ? { Condition: condition } : {}),
    Properties: {
      Action: "lambda:InvokeFunction",
      FunctionName: { Ref: functionId },
      Principal: "events.amazonaws.com",
      SourceArn: { "Fn::GetAtt": [ruleId, "Arn"] },
    },
  };
}

/**
 * The template with each function's expandable events added as resources (the input is not
 * modified). A generated id already taken by the template's own resource is left to it.
 */
export function expandSamEvents(template: JsonObject): JsonObject {
  const resources = ownValue(template, "Resources");
  if (!isPlainObject(resources)) return template;
  const added: JsonObject = {};
  for (const [functionId, resource] of Object.entries(resources)) {
    if (!isPlainObject(resource) || ownValue(resource, "Type") !== "AWS::Serverless::Function") continue;
    const properties = ownValue(resource, "Properties");
    const events = isPlainObject(properties) ? ownValue(properties, "Events") : undefined;
    if (!isPlainObject(events)) continue;
    const condition = ownValue(resource, "Condition");
    for (const [eventId, event] of Object.entries(events)) {
      if (!isPlainObject(event) || !expandedSamEventTypes.has(String(ownValue(event, "Type")))) continue;
      const eventProperties = ownValue(event, "Properties");
      const ruleId = `${functionId}${eventId}`;
      setOwn(
        added,
        ruleId,
        ruleFor(functionId, eventId, isPlainObject(eventProperties) ? eventProperties : {}, condition),
      );
      setOwn(added, `${ruleId}Permission`, permissionFor(functionId, ruleId, condition));
    }
  }
  if (Object.keys(added).length === 0) return template;
  const merged: JsonObject = { ...added };
  for (const [id, resource] of Object.entries(resources)) setOwn(merged, id, resource);
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(template))
    setOwn(result, key, key === "Resources" ? merged : value);
  return result;
}
