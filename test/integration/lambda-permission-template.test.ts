// AWS::Lambda::Permission in a template, through the real CloudFormation and Lambda SDKs: the
// statement appears in the function's policy, a change replaces it, and removing the resource (or
// the stack) takes it away.
import {
  type CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  UpdateStackCommand,
} from "@aws-sdk/client-cloudformation";
import { GetPolicyCommand, type LambdaClient } from "@aws-sdk/client-lambda";
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

function template(permission: Record<string, unknown> | undefined, functionName = "guarded") {
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
      ...(permission
        ? {
            Allow: {
              Type: "AWS::Lambda::Permission",
              Properties: {
                FunctionName: { "Fn::GetAtt": ["Fn", "Arn"] },
                Action: "lambda:InvokeFunction",
                Principal: "events.amazonaws.com",
                ...permission,
              },
            },
          }
        : {}),
    },
    Outputs: permission ? { StatementId: { Value: { Ref: "Allow" } } } : {},
  });
}

async function statements() {
  const got = await lambda.send(new GetPolicyCommand({ FunctionName: "guarded" }));
  return (JSON.parse(got.Policy!) as { Statement: Record<string, unknown>[] }).Statement;
}

describe("AWS::Lambda::Permission", () => {
  it("adds its statement, replaces it on a change, and removes it with the resource", async () => {
    const rule = `arn:aws:events:${jeff.region}:${jeff.accountId}:rule/nightly`;
    await cloudformation.send(
      new CreateStackCommand({ StackName: "guard", TemplateBody: template({ SourceArn: rule }) }),
    );
    const created = await settledStack(cloudformation, "guard");
    expect(created.status).toBe("CREATE_COMPLETE");
    const sid = created.outputs.StatementId!;
    expect(sid).toMatch(/^guard-Allow-[0-9A-F]{12}$/);
    expect(await statements()).toEqual([
      {
        Sid: sid,
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "lambda:InvokeFunction",
        Resource: `arn:aws:lambda:${jeff.region}:${jeff.accountId}:function:guarded`,
        Condition: { ArnLike: { "AWS:SourceArn": rule } },
      },
    ]);

    // Another source: CloudFormation replaces the permission, so one statement, under a new id.
    const other = `${rule}-hourly`;
    await cloudformation.send(
      new UpdateStackCommand({ StackName: "guard", TemplateBody: template({ SourceArn: other }) }),
    );
    const updated = await settledStack(cloudformation, "guard");
    expect(updated.status).toBe("UPDATE_COMPLETE");
    expect(updated.outputs.StatementId).not.toBe(sid);
    const after = await statements();
    expect(after.map((s) => [s.Sid, s.Condition])).toEqual([
      [updated.outputs.StatementId, { ArnLike: { "AWS:SourceArn": other } }],
    ]);

    // Without the resource, the function has no policy left.
    await cloudformation.send(
      new UpdateStackCommand({ StackName: "guard", TemplateBody: template(undefined) }),
    );
    expect((await settledStack(cloudformation, "guard")).status).toBe("UPDATE_COMPLETE");
    expect((await failure(lambda.send(new GetPolicyCommand({ FunctionName: "guarded" })))).name).toBe(
      "ResourceNotFoundException",
    );
    await cloudformation.send(new DeleteStackCommand({ StackName: "guard" }));
  });

  it("refuses what AddPermission refuses, and rolls the stack back", async () => {
    await cloudformation.send(
      new CreateStackCommand({
        StackName: "bad-guard",
        TemplateBody: template({ Principal: "not a principal" }, "misguarded"),
      }),
    );
    const failed = await settledStack(cloudformation, "bad-guard");
    expect(failed.status).toBe("ROLLBACK_COMPLETE");
  });
});
