// Resource-based policies through the SDK and /usr/bin/aws: one per function, version and alias,
// each with its own RevisionId, gone with the last statement, the version or the function.
import {
  AddPermissionCommand,
  CreateAliasCommand,
  DeleteFunctionCommand,
  GetPolicyCommand,
  type LambdaClient,
  PublishVersionCommand,
  RemovePermissionCommand,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aws, type JeffProcess, startJeff } from "./jeff-process.js";
import { createNodeFunction, failure, lambdaClientFor } from "./lambda-helpers.js";

let jeff: JeffProcess;
let lambda: LambdaClient;
const handler = "export const handler = async (event) => event;";

beforeAll(async () => {
  jeff = await startJeff();
  lambda = lambdaClientFor(jeff);
});
afterAll(async () => {
  await jeff?.stop();
});

const policyOf = async (FunctionName: string, Qualifier?: string) => {
  const got = await lambda.send(new GetPolicyCommand({ FunctionName, Qualifier }));
  return {
    document: JSON.parse(got.Policy!) as { Statement: Array<Record<string, unknown>> },
    revision: got.RevisionId!,
  };
};

describe("permissions", () => {
  it("adds statements as Lambda writes them and answers the policy with its RevisionId", async () => {
    const { FunctionArn } = await createNodeFunction(lambda, jeff.accountId, "guarded", handler);
    const added = await lambda.send(
      new AddPermissionCommand({
        FunctionName: "guarded",
        StatementId: "s3",
        Action: "lambda:InvokeFunction",
        Principal: "s3.amazonaws.com",
        SourceArn: "arn:aws:s3:::uploads",
        SourceAccount: jeff.accountId,
      }),
    );
    expect(added.$metadata.httpStatusCode).toBe(201);
    const statement = {
      Sid: "s3",
      Effect: "Allow",
      Principal: { Service: "s3.amazonaws.com" },
      Action: "lambda:InvokeFunction",
      Resource: FunctionArn,
      Condition: {
        StringEquals: { "AWS:SourceAccount": jeff.accountId },
        ArnLike: { "AWS:SourceArn": "arn:aws:s3:::uploads" },
      },
    };
    expect(JSON.parse(added.Statement!)).toEqual(statement);
    const first = await policyOf("guarded");
    expect(first.document).toEqual({ Version: "2012-10-17", Id: "default", Statement: [statement] });

    // The CLI, with an account as principal: written as the account's root.
    const cli = await aws(
      ["lambda", "add-permission", "--function-name", "guarded", "--statement-id", "acct"].concat([
        "--action",
        "lambda:InvokeFunction",
        "--principal",
        jeff.accountId,
      ]),
      jeff.awsEnv(),
    );
    expect(cli.code).toBe(0);
    expect(JSON.parse(JSON.parse(cli.stdout).Statement).Principal).toEqual({
      AWS: `arn:aws:iam::${jeff.accountId}:root`,
    });
    const second = await policyOf("guarded");
    expect(second.revision).not.toBe(first.revision);

    const duplicate = await failure(
      lambda.send(
        new AddPermissionCommand({
          FunctionName: "guarded",
          StatementId: "s3",
          Action: "lambda:InvokeFunction",
          Principal: "s3.amazonaws.com",
        }),
      ),
    );
    expect(duplicate.name).toBe("ResourceConflictException");
    const stale = await failure(
      lambda.send(
        new RemovePermissionCommand({
          FunctionName: "guarded",
          StatementId: "s3",
          RevisionId: first.revision,
        }),
      ),
    );
    expect(stale.name).toBe("PreconditionFailedException");
    await lambda.send(
      new RemovePermissionCommand({
        FunctionName: "guarded",
        StatementId: "s3",
        RevisionId: second.revision,
      }),
    );
    await lambda.send(new RemovePermissionCommand({ FunctionName: "guarded", StatementId: "acct" }));
    const none = await failure(lambda.send(new GetPolicyCommand({ FunctionName: "guarded" })));
    expect(none.name).toBe("ResourceNotFoundException");
    expect(none.message).toBe("The resource you requested does not exist.");
  });

  it("keeps a version's and an alias's policy apart from the function's, and drops them with it", async () => {
    await createNodeFunction(lambda, jeff.accountId, "versioned", handler);
    const { Version } = await lambda.send(new PublishVersionCommand({ FunctionName: "versioned" }));
    await lambda.send(
      new CreateAliasCommand({ FunctionName: "versioned", Name: "live", FunctionVersion: Version }),
    );
    const grant = (Qualifier: string | undefined, StatementId: string) =>
      lambda.send(
        new AddPermissionCommand({
          FunctionName: "versioned",
          Qualifier,
          StatementId,
          Action: "lambda:InvokeFunction",
          Principal: "events.amazonaws.com",
        }),
      );
    await grant(Version, "v");
    await grant("live", "alias");
    const latest = await failure(grant("$LATEST", "latest"));
    expect(latest.message).toBe("We currently do not support adding policies for $LATEST.");
    expect((await failure(lambda.send(new GetPolicyCommand({ FunctionName: "versioned" })))).name).toBe(
      "ResourceNotFoundException",
    );
    const ofAlias = await policyOf("versioned", "live");
    expect(ofAlias.document.Statement.map((s) => [s.Sid, s.Resource])).toEqual([
      ["alias", `arn:aws:lambda:${jeff.region}:${jeff.accountId}:function:versioned:live`],
    ]);
    const missingAlias = await failure(grant("gone", "x"));
    expect(missingAlias.message).toContain("Cannot find alias arn:");

    await lambda.send(new DeleteFunctionCommand({ FunctionName: "versioned" }));
    await createNodeFunction(lambda, jeff.accountId, "versioned", handler);
    await lambda.send(new PublishVersionCommand({ FunctionName: "versioned" }));
    // A function made again under the same name has none of the old one's policies.
    expect(
      (await failure(lambda.send(new GetPolicyCommand({ FunctionName: "versioned", Qualifier: Version }))))
        .name,
    ).toBe("ResourceNotFoundException");
  });
});
