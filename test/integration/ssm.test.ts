// The SSM Parameter Store API through the real SDK and CLI, and the awsJson1_1 protocol's errors.
import {
  DeleteParameterCommand,
  GetParameterCommand,
  PutParameterCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedHeaders } from "./aws-signer.js";
import { aws, type JeffProcess, startJeff } from "./jeff-process.js";

let jeff: JeffProcess;
let ssm: SSMClient;
beforeAll(async () => {
  jeff = await startJeff();
  ssm = new SSMClient({
    endpoint: jeff.url,
    region: jeff.region,
    credentials: jeff.credentials,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  await jeff?.stop();
});

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode: number } };
  }
  throw new Error("expected the call to fail");
}

describe("SSM parameters", () => {
  it("puts, versions, gets and deletes a parameter", async () => {
    expect(
      (await ssm.send(new PutParameterCommand({ Name: "/app/db", Value: "one", Type: "String" }))).Version,
    ).toBe(1);
    const again = await failure(
      ssm.send(new PutParameterCommand({ Name: "/app/db", Value: "two", Type: "String" })),
    );
    expect(again.name).toBe("ParameterAlreadyExists");
    expect(
      (await ssm.send(new PutParameterCommand({ Name: "/app/db", Value: "two", Overwrite: true }))).Version,
    ).toBe(2);
    const got = (await ssm.send(new GetParameterCommand({ Name: "/app/db" }))).Parameter!;
    expect(got).toMatchObject({ Name: "/app/db", Value: "two", Version: 2, Type: "String" });
    expect(got.ARN).toBe(`arn:aws:ssm:${jeff.region}:${jeff.accountId}:parameter/app/db`);
    expect(got.LastModifiedDate).toBeInstanceOf(Date);
    await ssm.send(new DeleteParameterCommand({ Name: "/app/db" }));
    expect((await failure(ssm.send(new GetParameterCommand({ Name: "/app/db" })))).name).toBe(
      "ParameterNotFound",
    );
  });

  it("works through /usr/bin/aws", async () => {
    await aws(
      ["ssm", "put-parameter", "--name", "cli-param", "--value", "from the cli", "--type", "String"],
      jeff.awsEnv(),
    );
    const out = await aws(["ssm", "get-parameter", "--name", "cli-param", "--output", "json"], jeff.awsEnv());
    expect(JSON.parse(out.stdout)).toMatchObject({ Parameter: { Name: "cli-param", Value: "from the cli" } });
  });

  it("needs a Type to create, and keeps the type when an overwrite leaves it out", async () => {
    const untyped = await failure(ssm.send(new PutParameterCommand({ Name: "untyped", Value: "v" })));
    expect(untyped.name).toBe("ValidationException");
    expect(untyped.message).toContain("type is required");
    await ssm.send(new PutParameterCommand({ Name: "secret", Value: "one", Type: "SecureString" }));
    await ssm.send(new PutParameterCommand({ Name: "secret", Value: "two", Overwrite: true }));
    expect((await ssm.send(new GetParameterCommand({ Name: "secret" }))).Parameter).toMatchObject({
      Type: "SecureString",
      Value: "two",
    });
  });

  it("refuses bad input naming the field, and changes nothing", async () => {
    const badType = await failure(
      ssm.send(new PutParameterCommand({ Name: "x", Value: "v", Type: "Nope" as "String" })),
    );
    expect(badType.name).toBe("ValidationException");
    expect(badType.message).toContain("'type'");
    const badName = await failure(
      ssm.send(new PutParameterCommand({ Name: "/aws/reserved", Value: "v", Type: "String" })),
    );
    expect(badName.message).toContain("'name'");
    const tooLong = await failure(
      ssm.send(new PutParameterCommand({ Name: "long", Value: "x".repeat(4097), Type: "String" })),
    );
    expect(tooLong.message).toContain("'value'");
    for (const name of ["x", "/aws/reserved", "long"]) {
      expect((await failure(ssm.send(new GetParameterCommand({ Name: name })))).name).toBe(
        "ParameterNotFound",
      );
    }
  });
});

describe("awsJson1_1 errors", () => {
  async function call(target: string, body: string) {
    const headers = { "content-type": "application/x-amz-json-1.1", "x-amz-target": target };
    const signed = await signedHeaders({
      url: `${jeff.url}/`,
      method: "POST",
      headers,
      body,
      service: "ssm",
      region: jeff.region,
      credentials: jeff.credentials,
    });
    const res = await fetch(`${jeff.url}/`, { method: "POST", headers: signed, body });
    return {
      status: res.status,
      type: res.headers.get("x-amzn-errortype"),
      body: (await res.json()) as Record<string, string>,
    };
  }

  it("names an unknown operation", async () => {
    const res = await call("AmazonSSM.LaunchRockets", "{}");
    expect(res).toMatchObject({ status: 400, type: "UnknownOperationException" });
    expect(res.body.__type).toBe("UnknownOperationException");
    expect(res.body.message).toContain("LaunchRockets");
  });

  it("refuses a body that is not a JSON object", async () => {
    for (const body of ['{"Name":', "[1,2]", "not json"]) {
      const res = await call("AmazonSSM.GetParameter", body);
      expect(res).toMatchObject({ status: 400, type: "SerializationException" });
    }
  });
});
