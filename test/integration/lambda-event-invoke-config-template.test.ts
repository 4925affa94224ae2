// AWS::Lambda::EventInvokeConfig in a template (what the CDK's onSuccess / onFailure make), through
// the real CloudFormation and Lambda SDKs: the configuration is put with the stack, put whole
// again on a change, and gone with the resource; a destination Lambda refuses rolls the stack back.
import {
  type CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  UpdateStackCommand,
} from "@aws-sdk/client-cloudformation";
import { GetFunctionEventInvokeConfigCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JeffProcess, startJeff } from "./jeff-process.js";
import { failure, lambdaClientFor } from "./lambda-helpers.js";
import { cloudFormationClientFor, settledStack } from "./stack-helpers.js";

let jeff: JeffProcess;
let lambda: LambdaClient;
let cloudformation: CloudFormationClient;

beforeAll(async () => {
  jeff = await startJeff();
  lambda = lambdaClientFor(jeff);
  cloudformation = cloudFormationClientFor(jeff);
});

afterAll(async () => {
  await jeff?.stop();
});

function template(
  config: Record<string, unknown> | undefined,
  functionName = "outcomes-fn",
  reference: unknown = { Ref: "Fn" },
) {
  return JSON.stringify({
    Resources: {
      Fn: {
        Type: "AWS::Lambda::Function",
        Properties: {
          FunctionName: functionName,
          Runtime: "python3.12",
          Handler: "index.handler",
          Role: `arn:aws:iam::${jeff.accountId}:role/lambda-role`,
          Code: { ZipFile: "def handler(event, context):\n    return event\n" },
        },
      },
      Bus: { Type: "AWS::Events::EventBus", Properties: { Name: `${functionName}-bus` } },
      ...(config
        ? {
            AsyncConfig: {
              Type: "AWS::Lambda::EventInvokeConfig",
              Properties: { FunctionName: reference, Qualifier: "$LATEST", ...config },
            },
          }
        : {}),
    },
    Outputs: config ? { ConfigId: { Value: { Ref: "AsyncConfig" } } } : {},
  });
}

const current = (name = "outcomes-fn") =>
  lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: name, Qualifier: "$LATEST" }));

describe("AWS::Lambda::EventInvokeConfig", () => {
  it("puts the configuration, puts it whole again on a change, and removes it with the resource", async () => {
    const busArn = `arn:aws:events:${jeff.region}:${jeff.accountId}:event-bus/outcomes-fn-bus`;
    await cloudformation.send(
      new CreateStackCommand({
        StackName: "async-config",
        TemplateBody: template({
          MaximumRetryAttempts: 0,
          DestinationConfig: {
            OnSuccess: { Destination: { "Fn::GetAtt": ["Bus", "Arn"] } },
            OnFailure: { Destination: { "Fn::GetAtt": ["Bus", "Arn"] } },
          },
        }),
      }),
    );
    const created = await settledStack(cloudformation, "async-config");
    expect(created.status).toBe("CREATE_COMPLETE");
    expect(created.outputs.ConfigId).toMatch(/^async-config-AsyncConfig-[0-9a-f]{12}$/);
    expect(await current()).toMatchObject({
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnSuccess: { Destination: busArn }, OnFailure: { Destination: busArn } },
    });

    // Another event age and no destinations: the whole configuration, as Put makes it.
    await cloudformation.send(
      new UpdateStackCommand({
        StackName: "async-config",
        TemplateBody: template({ MaximumEventAgeInSeconds: 120 }),
      }),
    );
    expect((await settledStack(cloudformation, "async-config")).status).toBe("UPDATE_COMPLETE");
    const updated = await current();
    expect(updated.MaximumEventAgeInSeconds).toBe(120);
    expect(updated.MaximumRetryAttempts).toBeUndefined();
    expect(updated.DestinationConfig?.OnSuccess?.Destination).toBeUndefined();

    // The same configuration named another way (the function's ARN rather than its name): the
    // resource is replaced, and the replacement keeps the configuration it stands for.
    await cloudformation.send(
      new UpdateStackCommand({
        StackName: "async-config",
        TemplateBody: template({ MaximumEventAgeInSeconds: 240 }, "outcomes-fn", {
          "Fn::GetAtt": ["Fn", "Arn"],
        }),
      }),
    );
    expect((await settledStack(cloudformation, "async-config")).status).toBe("UPDATE_COMPLETE");
    expect((await current()).MaximumEventAgeInSeconds).toBe(240);

    // Without the resource, the function has no configuration left.
    await cloudformation.send(
      new UpdateStackCommand({ StackName: "async-config", TemplateBody: template(undefined) }),
    );
    expect((await settledStack(cloudformation, "async-config")).status).toBe("UPDATE_COMPLETE");
    expect((await failure(current())).name).toBe("ResourceNotFoundException");
    await cloudformation.send(new DeleteStackCommand({ StackName: "async-config" }));
  });

  it("refuses what PutFunctionEventInvokeConfig refuses, and rolls the stack back", async () => {
    await cloudformation.send(
      new CreateStackCommand({
        StackName: "bad-async-config",
        TemplateBody: template(
          {
            DestinationConfig: {
              OnSuccess: { Destination: `arn:aws:events:eu-north-9:${jeff.accountId}:event-bus/elsewhere` },
            },
          },
          "misconfigured-fn",
        ),
      }),
    );
    expect((await settledStack(cloudformation, "bad-async-config")).status).toBe("ROLLBACK_COMPLETE");
    const { StackEvents } = await cloudformation.send(
      new DescribeStackEventsCommand({ StackName: "bad-async-config" }),
    );
    const failed = StackEvents?.find(
      (e) => e.LogicalResourceId === "AsyncConfig" && e.ResourceStatus === "CREATE_FAILED",
    );
    expect(failed?.ResourceStatusReason).toContain("eu-north-9");
  });
});
