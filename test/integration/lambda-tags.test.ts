// Tags on functions through the SDK and /usr/bin/aws; `jeff:allow` among them is an ordinary tag,
// and only the operator's `--sandbox-allow` lifts part of a Node function's sandbox.
import {
  GetFunctionCommand,
  InvokeCommand,
  type LambdaClient,
  ListTagsCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aws, type JeffProcess, startJeff } from "./jeff-process.js";
import { createNodeFunction, decode, failure, lambdaClientFor } from "./lambda-helpers.js";

let jeff: JeffProcess;
let lambda: LambdaClient;
const spawner = `import { execFileSync } from "node:child_process";
export const handler = async () => {
  try { return execFileSync("/bin/echo", ["spawned"]).toString().trim(); } catch (e) { return e.code; }
};`;

const create = (name: string, tags?: Record<string, string>) =>
  createNodeFunction(lambda, jeff.accountId, name, spawner, tags ? { Tags: tags } : {});

beforeAll(async () => {
  jeff = await startJeff({ args: ["--sandbox-allow", "spawner=child-process"] });
  lambda = lambdaClientFor(jeff);
});
afterAll(async () => {
  await jeff?.stop();
});

describe("tags", () => {
  it("keeps tags from CreateFunction, adds and removes them, and shows them in GetFunction", async () => {
    const { FunctionArn } = await create("tagged", { team: "platform", cost: "dev" });
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: "tagged" }))).Tags).toEqual({
      team: "platform",
      cost: "dev",
    });
    await lambda.send(
      new TagResourceCommand({ Resource: FunctionArn, Tags: { cost: "prod", owner: "ada" } }),
    );
    await lambda.send(new UntagResourceCommand({ Resource: FunctionArn, TagKeys: ["team"] }));
    expect((await lambda.send(new ListTagsCommand({ Resource: FunctionArn }))).Tags).toEqual({
      cost: "prod",
      owner: "ada",
    });
    const listed = await aws(["lambda", "list-tags", "--resource", FunctionArn!], jeff.awsEnv());
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({ Tags: { cost: "prod", owner: "ada" } });
  });

  it("refuses reserved keys and unknown functions, changing nothing", async () => {
    const reserved = await failure(create("reserved", { "aws:owner": "me" }));
    expect(reserved.name).toBe("InvalidParameterValueException");
    expect(reserved.message).toContain("aws:owner");
    expect((await failure(lambda.send(new GetFunctionCommand({ FunctionName: "reserved" })))).name).toBe(
      "ResourceNotFoundException",
    );
    const arn = `arn:aws:lambda:${jeff.region}:${jeff.accountId}:function:nobody`;
    expect((await failure(lambda.send(new ListTagsCommand({ Resource: arn })))).name).toBe(
      "ResourceNotFoundException",
    );
  });
});

describe("the sandbox", () => {
  const run = async (name: string) =>
    decode((await lambda.send(new InvokeCommand({ FunctionName: name }))).Payload);

  it("lets the function the operator names start processes, whatever its tags say", async () => {
    const { FunctionArn } = await create("spawner");
    expect(await run("spawner")).toBe('"spawned"');
    await lambda.send(new TagResourceCommand({ Resource: FunctionArn, Tags: { "jeff:allow": "none" } }));
    expect(await run("spawner")).toBe('"spawned"');
  });

  it("keeps jeff:allow as an ordinary tag that grants nothing", async () => {
    const { FunctionArn } = await create("tag-spawner", { "jeff:allow": "child-process, network" });
    expect(await run("tag-spawner")).toBe('"ERR_ACCESS_DENIED"');
    expect((await lambda.send(new ListTagsCommand({ Resource: FunctionArn }))).Tags).toEqual({
      "jeff:allow": "child-process, network",
    });
  });
});
