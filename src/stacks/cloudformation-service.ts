/**
 * The CloudFormation API (awsQuery) over the stack engine: what `jeff deploy`, `jeff delete` and
 * `aws cloudformation …` call.
 */
import {
  AwsError,
  cloudformationModel,
  mutates,
  type OperationTraits,
  type QueryService,
  type RequestContext,
  reads,
  type XmlValue,
} from "../protocol/index.js";
import type { SqlExecutor } from "../store/index.js";
import type { StackParameterInput } from "./plan.js";
import { readMemberList } from "./query-lists.js";
import { type StackEngine, stackErrors } from "./stack-engine.js";
import { findStack, listEvents, listResources, listStacks, type StackRecord } from "./stack-records.js";

/** CloudFormation takes 51,200 bytes in TemplateBody; Jeff takes what AWS takes from a TemplateURL, since there is no bucket to upload to. */
export const maxTemplateBytes = 1_000_000;

const scopeOf = (ctx: RequestContext) => ({ accountId: ctx.caller.accountId, region: ctx.region });

/** The scope of a stack operation: the caller's account and region, and the caller to act as. */
const operationScopeOf = (ctx: RequestContext) => ({
  ...scopeOf(ctx),
  caller: {
    accountId: ctx.caller.accountId,
    arn: ctx.caller.arn,
    userId: ctx.caller.userId,
    accessKeyId: ctx.caller.accessKeyId,
  },
});

/** The stack a call names, by name or by stack id (its ARN). */
const onStack: OperationTraits["resources"] = (params) => {
  const name = params.StackName;
  if (typeof name !== "string" || name === "") return [];
  const byId = /^arn:aws[a-zA-Z-]*:cloudformation:[^:]*:\d{12}:stack\/([^/]+)\//.exec(name);
  return [{ type: "AWS::CloudFormation::Stack", name: byId ? byId[1]! : name, arn: byId ? name : "" }];
};

function required(params: Readonly<Record<string, string>>, field: string): string {
  const value = params[field];
  if (value === undefined || value === "") {
    throw new AwsError(
      "ValidationError",
      `1 validation error detected: Value null at '${field[0]?.toLowerCase()}${field.slice(1)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

function templateBody(params: Readonly<Record<string, string>>): string {
  if (params.TemplateURL !== undefined)
    throw new AwsError("ValidationError", "TemplateURL is not supported by Jeff: send TemplateBody.");
  const body = required(params, "TemplateBody");
  if (Buffer.byteLength(body) > maxTemplateBytes) {
    throw new AwsError("ValidationError", `Templates may be at most ${maxTemplateBytes} bytes.`);
  }
  return body;
}

function parameterInputs(params: Readonly<Record<string, string>>): StackParameterInput[] {
  return readMemberList(params, "Parameters").map((member, i) => {
    const key = member.ParameterKey;
    if (!key) throw new AwsError("ValidationError", `Parameters.member.${i + 1}.ParameterKey is required`);
    return member.UsePreviousValue === "true"
      ? { key, usePreviousValue: true }
      : { key, value: member.ParameterValue ?? "" };
  });
}

function describeStack(stack: StackRecord): XmlValue {
  return {
    StackId: stack.stackId,
    StackName: stack.stackName,
    Description: stack.description,
    // NoEcho values are never shown, as on AWS.
    Parameters: Object.entries(stack.parameters).map(([ParameterKey, ParameterValue]) => ({
      ParameterKey,
      ParameterValue: stack.noEcho.includes(ParameterKey) ? "****" : ParameterValue,
    })),
    CreationTime: stack.createdAt,
    LastUpdatedTime: stack.updatedAt,
    DeletionTime: stack.deletedAt,
    StackStatus: stack.status,
    StackStatusReason: stack.statusReason,
    Outputs: stack.outputs.map((o) => ({ ...o })),
    DisableRollback: false,
    Tags: [],
  };
}

export function createCloudFormationService(db: SqlExecutor, engine: StackEngine): QueryService {
  const existing = async (ctx: RequestContext, name: string) => {
    const stack = await findStack(db, scopeOf(ctx), name);
    if (!stack) throw stackErrors.notFound(name);
    return stack;
  };
  return {
    signingName: "cloudformation",
    model: cloudformationModel,
    protocol: "awsQuery",
    xmlNamespace: "http://cloudformation.amazonaws.com/doc/2010-05-15/",
    operations: {
      CreateStack: {
        ...mutates("cloudformation:CreateStack", onStack, { hidden: ["ParameterValue"] }),
        handler: async (params, ctx) => ({
          StackId: await engine.create(
            operationScopeOf(ctx),
            {
              stackName: required(params, "StackName"),
              templateBody: templateBody(params),
              parameters: parameterInputs(params),
            },
            ctx.transaction,
          ),
        }),
      },
      UpdateStack: {
        ...mutates("cloudformation:UpdateStack", onStack, { hidden: ["ParameterValue"] }),
        handler: async (params, ctx) => ({
          StackId: await engine.update(
            operationScopeOf(ctx),
            {
              stackName: required(params, "StackName"),
              templateBody:
                params.UsePreviousTemplate === "true"
                  ? (await existing(ctx, required(params, "StackName"))).templateBody
                  : templateBody(params),
              parameters: parameterInputs(params),
            },
            ctx.transaction,
          ),
        }),
      },
      DeleteStack: {
        ...mutates("cloudformation:DeleteStack", onStack),
        handler: async (params, ctx) => {
          await engine.delete(operationScopeOf(ctx), required(params, "StackName"), ctx.transaction);
          return {};
        },
      },
      DescribeStacks: {
        ...reads("cloudformation:DescribeStacks", onStack),
        handler: async (params, ctx) => {
          const stacks = params.StackName
            ? [await existing(ctx, params.StackName)]
            : await listStacks(db, scopeOf(ctx), false);
          return { Stacks: stacks.map(describeStack) };
        },
      },
      ListStacks: {
        ...reads("cloudformation:ListStacks"),
        handler: async (params, ctx) => {
          const filter = new Set(readMemberList(params, "StackStatusFilter").map((m) => m[""] ?? ""));
          const stacks = (await listStacks(db, scopeOf(ctx), true)).filter(
            (s) => filter.size === 0 || filter.has(s.status),
          );
          return {
            StackSummaries: stacks.map((s) => ({
              StackId: s.stackId,
              StackName: s.stackName,
              TemplateDescription: s.description,
              CreationTime: s.createdAt,
              LastUpdatedTime: s.updatedAt,
              DeletionTime: s.deletedAt,
              StackStatus: s.status,
              StackStatusReason: s.statusReason,
            })),
          };
        },
      },
      DescribeStackEvents: {
        ...reads("cloudformation:DescribeStackEvents", onStack),
        handler: async (params, ctx) => {
          const stack = await existing(ctx, required(params, "StackName"));
          const events = await listEvents(db, stack);
          return {
            StackEvents: events.map((e) => ({
              StackId: e.stackId,
              EventId: e.eventId,
              StackName: e.stackName,
              LogicalResourceId: e.logicalId,
              PhysicalResourceId: e.physicalId,
              ResourceType: e.resourceType,
              Timestamp: e.timestamp,
              ResourceStatus: e.status,
              ResourceStatusReason: e.reason,
            })),
          };
        },
      },
      DescribeStackResources: {
        ...reads("cloudformation:DescribeStackResources", onStack),
        handler: async (params, ctx) => {
          const stack = await existing(ctx, required(params, "StackName"));
          const resources = await listResources(db, stack.stackId);
          return {
            StackResources: resources
              .filter((r) => !params.LogicalResourceId || r.logicalId === params.LogicalResourceId)
              .map((r) => ({
                StackName: stack.stackName,
                StackId: stack.stackId,
                LogicalResourceId: r.logicalId,
                PhysicalResourceId: r.physicalId,
                ResourceType: r.type,
                Timestamp: r.updatedAt,
                ResourceStatus: r.status,
                ResourceStatusReason: r.statusReason,
              })),
          };
        },
      },
      GetTemplate: {
        ...reads("cloudformation:GetTemplate", onStack),
        handler: async (params, ctx) => ({
          TemplateBody: (await existing(ctx, required(params, "StackName"))).templateBody,
          StagesAvailable: ["Original"],
        }),
      },
      ValidateTemplate: {
        ...reads("cloudformation:ValidateTemplate"),
        handler: async (params) => ({ ...engine.validate(templateBody(params)) }),
      },
    },
  };
}
