// A function in a template is the Lambda calls CloudFormation makes for it, through Lambda's own
// operations: what a stack sets, changes and drops shows in the function as the API reports it,
// each step is in the audit trail as a call CloudFormation made, and a package uploaded once is
// named to CreateFunction by its place in Jeff's bucket, as an S3 object is on AWS.
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
} from "@aws-sdk/client-cloudformation";
import {
  GetFunctionCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  type LambdaClient,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedHeaders } from "./aws-signer.js";
import { lookupEvents } from "./cloudtrail-lookup.js";
import { aws, type JeffProcess, sdkConfig, startJeff } from "./jeff-process.js";
import { createNodeFunction, decode, failure, lambdaClientFor, text } from "./lambda-helpers.js";
import { until } from "./until.js";

let jeff: JeffProcess;
let lambda: LambdaClient;
let cloudformation: CloudFormationClient;

beforeAll(async () => {
  jeff = await startJeff();
  lambda = lambdaClientFor(jeff);
  cloudformation = new CloudFormationClient(sdkConfig(jeff));
});

afterAll(async () => {
  await jeff?.stop();
});

/** The stack's status once its operation has ended; a deleted stack is no longer found by name. */
async function settled(name: string): Promise<string | undefined> {
  let status: string | undefined;
  await until(
    async () => {
      try {
        const got = await cloudformation.send(new DescribeStacksCommand({ StackName: name }));
        status = got.Stacks?.[0]?.StackStatus;
      } catch (error) {
        if (!/does not exist/.test(String(error))) throw error;
        status = "DELETE_COMPLETE";
      }
      return status !== undefined && !status.endsWith("_IN_PROGRESS");
    },
    `stack ${name} never finished`,
    60_000,
  );
  return status;
}

/** Why the stack's resources failed, as its events say. */
async function failureReasons(name: string): Promise<string> {
  const events = await cloudformation.send(new DescribeStackEventsCommand({ StackName: name }));
  return (events.StackEvents ?? []).map((event) => event.ResourceStatusReason ?? "").join("\n");
}

function template(properties: Record<string, unknown>) {
  return JSON.stringify({
    Resources: {
      Fn: {
        Type: "AWS::Lambda::Function",
        Properties: {
          FunctionName: "from-stack",
          Runtime: "python3.12",
          Handler: "index.handler",
          Role: `arn:aws:iam::${jeff.accountId}:role/lambda-role`,
          Code: { ZipFile: "def handler(event, context):\n    return {'seen': event}\n" },
          ...properties,
        },
      },
    },
  });
}

/** The Lambda management events recorded, oldest first. */
async function lambdaCalls() {
  return (await lookupEvents(jeff, "EventSource", "lambda.amazonaws.com"))
    .map((event) => event.record)
    .reverse();
}

describe("AWS::Lambda::Function through Lambda's operations", () => {
  it("creates, changes and drops settings as the API's own calls, each made by CloudFormation", async () => {
    await cloudformation.send(
      new CreateStackCommand({
        StackName: "calls",
        TemplateBody: template({
          Description: "first",
          Timeout: 9,
          Architectures: ["arm64"],
          ReservedConcurrentExecutions: 2,
          Tags: [
            { Key: "team", Value: "core" },
            { Key: "old", Value: "x" },
          ],
        }),
      }),
    );
    expect(await settled("calls")).toBe("CREATE_COMPLETE");
    const created = await lambda.send(new GetFunctionCommand({ FunctionName: "from-stack" }));
    expect(created.Configuration).toMatchObject({
      Description: "first",
      Timeout: 9,
      Architectures: ["arm64"],
    });
    expect(created.Tags).toEqual({ team: "core", old: "x" });
    expect(created.Concurrency).toEqual({ ReservedConcurrentExecutions: 2 });

    // Changed through the API just before: the stack waits for that update to finish, as
    // CloudFormation does, rather than meet Lambda's refusal while it is InProgress.
    await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: "from-stack", Description: "by hand" }),
    );
    // Dropped from the template: Lambda's defaults come back, the tag and the reservation go.
    await cloudformation.send(
      new UpdateStackCommand({
        StackName: "calls",
        TemplateBody: template({ Tags: [{ Key: "team", Value: "platform" }] }),
      }),
    );
    expect(await settled("calls")).toBe("UPDATE_COMPLETE");
    const updated = await lambda.send(new GetFunctionCommand({ FunctionName: "from-stack" }));
    expect(updated.Configuration).toMatchObject({ Description: "", Timeout: 3, Architectures: ["x86_64"] });
    expect(updated.Configuration?.CodeSha256).toBe(created.Configuration?.CodeSha256);
    expect(updated.Tags).toEqual({ team: "platform" });
    expect(updated.Concurrency).toBeUndefined();
    const answer = await lambda.send(
      new InvokeCommand({ FunctionName: "from-stack", Payload: text(JSON.stringify({ n: 1 })) }),
    );
    expect(JSON.parse(decode(answer.Payload))).toEqual({ seen: { n: 1 } });

    await cloudformation.send(new DeleteStackCommand({ StackName: "calls" }));
    expect(await settled("calls")).toBe("DELETE_COMPLETE");
    expect((await failure(lambda.send(new GetFunctionCommand({ FunctionName: "from-stack" })))).name).toBe(
      "ResourceNotFoundException",
    );

    const byCloudFormation = (await lambdaCalls()).filter(
      (record) => record.userIdentity.invokedBy === "cloudformation.amazonaws.com",
    );
    const writes = byCloudFormation
      .filter((record) => !record.eventName.startsWith("Get"))
      .map((record) => record.eventName);
    expect(writes).toEqual([
      "CreateFunction",
      "PutFunctionConcurrency",
      // The architecture changed, so the code is sent again, then the configuration.
      "UpdateFunctionCode",
      "UpdateFunctionConfiguration",
      "UntagResource",
      "TagResource",
      "DeleteFunctionConcurrency",
      "DeleteFunction",
    ]);
    // The update sent Lambda's defaults for what the template dropped.
    const configuration = byCloudFormation.find((record) =>
      record.eventName.startsWith("UpdateFunctionConfiguration"),
    );
    expect(configuration?.requestParameters).toMatchObject({ description: "", timeout: 3 });
  });

  it("puts SAM's EventInvokeConfig, and removes it when the template drops it", async () => {
    const sam = (properties: Record<string, unknown>) =>
      JSON.stringify({
        Transform: "AWS::Serverless-2016-10-31",
        Resources: {
          Fn: {
            Type: "AWS::Serverless::Function",
            Properties: {
              FunctionName: "sam-configured",
              Runtime: "python3.12",
              Handler: "index.handler",
              InlineCode: "def handler(event, context):\n    return event\n",
              ...properties,
            },
          },
        },
      });
    await cloudformation.send(
      new CreateStackCommand({
        StackName: "configured",
        TemplateBody: sam({ EventInvokeConfig: { MaximumRetryAttempts: 1 } }),
      }),
    );
    expect(await settled("configured")).toBe("CREATE_COMPLETE");
    const put = await lambda.send(
      new GetFunctionEventInvokeConfigCommand({ FunctionName: "sam-configured" }),
    );
    expect(put.MaximumRetryAttempts).toBe(1);

    // An update refused at its last call (a destination that does not exist), after the timeout
    // and the tags were already changed: the rollback puts all of it back.
    const missing = `arn:aws:lambda:${jeff.region}:${jeff.accountId}:function:no-such-destination`;
    await cloudformation.send(
      new UpdateStackCommand({
        StackName: "configured",
        TemplateBody: sam({
          Timeout: 30,
          Tags: { added: "yes" },
          EventInvokeConfig: {
            MaximumRetryAttempts: 2,
            DestinationConfig: { OnSuccess: { Type: "Lambda", Destination: missing } },
          },
        }),
      }),
    );
    expect(await settled("configured")).toBe("UPDATE_ROLLBACK_COMPLETE");
    expect(await failureReasons("configured")).toContain(`The destination ARN ${missing} is invalid.`);
    const rolledBack = await lambda.send(new GetFunctionCommand({ FunctionName: "sam-configured" }));
    expect(rolledBack.Configuration?.Timeout).toBe(3);
    expect(rolledBack.Tags).toEqual({ "lambda:createdBy": "SAM" });
    const kept = await lambda.send(
      new GetFunctionEventInvokeConfigCommand({ FunctionName: "sam-configured" }),
    );
    expect(kept.MaximumRetryAttempts).toBe(1);
    expect(kept.DestinationConfig?.OnSuccess?.Destination).toBeUndefined();

    await cloudformation.send(new UpdateStackCommand({ StackName: "configured", TemplateBody: sam({}) }));
    expect(await settled("configured")).toBe("UPDATE_COMPLETE");
    expect(
      (
        await failure(
          lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "sam-configured" })),
        )
      ).name,
    ).toBe("ResourceNotFoundException");
    await cloudformation.send(new DeleteStackCommand({ StackName: "configured" }));
    expect(await settled("configured")).toBe("DELETE_COMPLETE");
  });

  it("refuses what PutFunctionConcurrency refuses, and rolls back, leaving no function", async () => {
    await cloudformation.send(
      new CreateStackCommand({
        StackName: "greedy",
        TemplateBody: template({ FunctionName: "greedy", ReservedConcurrentExecutions: 100_000 }),
      }),
    );
    expect(await settled("greedy")).toBe("ROLLBACK_COMPLETE");
    expect(await failureReasons("greedy")).toMatch(
      /ReservedConcurrentExecutions|UnreservedConcurrentExecution/,
    );
    expect((await failure(lambda.send(new GetFunctionCommand({ FunctionName: "greedy" })))).name).toBe(
      "ResourceNotFoundException",
    );
  });
});

/** Uploads a package as `jeff deploy` does: a signed PUT to Jeff's package route. */
async function upload(zip: Uint8Array): Promise<{ Location: string; CodeSha256: string }> {
  const url = `${jeff.url}/_jeff/packages`;
  const headers = await signedHeaders({
    url,
    method: "PUT",
    headers: { "content-type": "application/zip" },
    body: zip,
    service: "jeff",
    region: jeff.region,
    credentials: jeff.credentials,
  });
  const response = await fetch(url, { method: "PUT", headers, body: zip });
  expect(response.status).toBe(200);
  return (await response.json()) as { Location: string; CodeSha256: string };
}

describe("code named by S3Bucket and S3Key", () => {
  it("creates and updates a function from a package kept in Jeff's bucket", async () => {
    const first = zipSync({ "index.mjs": text("export const handler = async () => 'first';") });
    const second = zipSync({ "index.mjs": text("export const handler = async () => 'second';") });
    const kept = await upload(first);
    const key = `${Buffer.from(kept.CodeSha256, "base64").toString("hex")}.zip`;
    const created = await aws(
      [
        "lambda",
        "create-function",
        "--function-name",
        "from-bucket",
        "--runtime",
        "nodejs20.x",
        "--handler",
        "index.handler",
        "--role",
        `arn:aws:iam::${jeff.accountId}:role/lambda-role`,
        "--code",
        `S3Bucket=jeff-packages,S3Key=${key}`,
        "--output",
        "json",
      ],
      jeff.awsEnv(),
    );
    expect(created.stderr).toBe("");
    expect(JSON.parse(created.stdout)).toMatchObject({ CodeSha256: kept.CodeSha256, CodeSize: first.length });
    const run = async () =>
      JSON.parse(decode((await lambda.send(new InvokeCommand({ FunctionName: "from-bucket" }))).Payload));
    expect(await run()).toBe("first");

    const next = await upload(second);
    const updated = await lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: "from-bucket",
        S3Bucket: "jeff-packages",
        S3Key: `${Buffer.from(next.CodeSha256, "base64").toString("hex")}.zip`,
      }),
    );
    expect(updated.CodeSha256).toBe(next.CodeSha256);
    await until(async () => (await run()) === "second", "the new code never ran", 30_000);
  });

  it("refuses a bucket or key that holds no package, as Lambda refuses an object it cannot get", async () => {
    const missingBucket = await failure(
      createNodeFunction(lambda, jeff.accountId, "nowhere", "", {
        Code: { S3Bucket: "someone-elses-bucket", S3Key: "code.zip" },
      }),
    );
    expect(missingBucket.name).toBe("InvalidParameterValueException");
    expect(missingBucket.message).toBe(
      "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist",
    );
    const missingKey = await failure(
      createNodeFunction(lambda, jeff.accountId, "nowhere", "", {
        Code: { S3Bucket: "jeff-packages", S3Key: `${"0".repeat(64)}.zip` },
      }),
    );
    expect(missingKey.name).toBe("InvalidParameterValueException");
    expect(missingKey.message).toBe(
      "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.",
    );
    expect((await failure(lambda.send(new GetFunctionCommand({ FunctionName: "nowhere" })))).name).toBe(
      "ResourceNotFoundException",
    );
  });
});
