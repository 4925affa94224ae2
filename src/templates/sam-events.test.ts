import { describe, expect, it } from "vitest";
import { expandSamEvents } from "./sam-events.js";

describe("SAM event sources expanded into their resources", () => {
  it("turns an EventBridgeRule event into a rule targeting the function and a permission, as the transform does", () => {
    const template = {
      Transform: "AWS::Serverless-2016-10-31",
      Resources: {
        Worker: {
          Type: "AWS::Serverless::Function",
          Condition: "IsProd",
          Properties: {
            Runtime: "nodejs20.x",
            Events: {
              OnDeploy: {
                Type: "EventBridgeRule",
                Properties: {
                  Pattern: { source: ["aws.cloudformation"] },
                  EventBusName: "ops",
                  InputPath: "$.detail",
                  RetryPolicy: { MaximumRetryAttempts: 3 },
                  RuleName: "on-deploy",
                },
              },
              Legacy: {
                Type: "CloudWatchEvent",
                Properties: { Pattern: { source: ["x"] }, Target: { Id: "mine" } },
              },
              Timer: { Type: "Schedule", Properties: { Schedule: "rate(1 minute)" } },
            },
          },
        },
      },
    };
    const expanded = expandSamEvents(template) as { Resources: Record<string, unknown> };
    expect(Object.keys(expanded.Resources)).toEqual([
      "WorkerOnDeploy",
      "WorkerOnDeployPermission",
      "WorkerLegacy",
      "WorkerLegacyPermission",
      "Worker",
    ]);
    expect(expanded.Resources.WorkerOnDeploy).toEqual({
      Type: "AWS::Events::Rule",
      Condition: "IsProd",
      Properties: {
        EventPattern: { source: ["aws.cloudformation"] },
        EventBusName: "ops",
        Name: "on-deploy",
        Targets: [
          {
            Arn: { "Fn::GetAtt": ["Worker", "Arn"] },
            Id: "WorkerOnDeployLambdaTarget",
            InputPath: "$.detail",
            RetryPolicy: { MaximumRetryAttempts: 3 },
          },
        ],
      },
    });
    expect(expanded.Resources.WorkerOnDeployPermission).toEqual({
      Type: "AWS::Lambda::Permission",
      Condition: "IsProd",
      Properties: {
        Action: "lambda:InvokeFunction",
        FunctionName: { Ref: "Worker" },
        Principal: "events.amazonaws.com",
        SourceArn: { "Fn::GetAtt": ["WorkerOnDeploy", "Arn"] },
      },
    });
    expect(
      (expanded.Resources.WorkerLegacy as { Properties: { Targets: { Id: string }[] } }).Properties
        .Targets[0]!.Id,
    ).toBe("mine");
    // The input is left as it was.
    expect(Object.keys(template.Resources)).toEqual(["Worker"]);
  });

  it("leaves a template without expandable events as it is", () => {
    const template = { Resources: { Table: { Type: "AWS::SSM::Parameter", Properties: {} } } };
    expect(expandSamEvents(template)).toBe(template);
  });
});
