// What a function holds: a session of its execution role, never the administrator's key, and no
// way to widen its own sandbox with it. The escalation this closes: a handler that signed
// TagResource on its own ARN with `jeff:allow: child-process` could spawn a shell on its next run.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  InvokeCommand,
  type LambdaClient,
  ListTagsCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aws, type JeffProcess, runJeff, startJeff } from "./jeff-process.js";
import { createNodeFunction, decode, lambdaClientFor } from "./lambda-helpers.js";

let jeff: JeffProcess;
let lambda: LambdaClient;

// The handler signs its own request (SigV4 by hand with node:crypto, no SDK in the package) with
// the credentials Lambda's variables give it, as code trying to escape would.
const escalator = `import { spawnSync } from "node:child_process";
import { createHash, createHmac } from "node:crypto";

const sha256 = (data) => createHash("sha256").update(data).digest("hex");
const hmac = (key, data) => createHmac("sha256", key).update(data).digest();

async function signed(method, path, body, service) {
  const env = process.env;
  const url = new URL(path, env.AWS_ENDPOINT_URL);
  const date = new Date().toISOString().replace(/[-:]|\\.\\d{3}/g, "");
  const headers = {
    "content-type": "application/json",
    host: url.host,
    "x-amz-date": date,
    "x-amz-security-token": env.AWS_SESSION_TOKEN,
  };
  const names = Object.keys(headers).sort();
  const canonicalPath = url.pathname.split("/").map(encodeURIComponent).join("/");
  const canonical = [method, canonicalPath, "", ...names.map((n) => n + ":" + headers[n]), "", names.join(";"), sha256(body)].join("\\n");
  const scope = date.slice(0, 8) + "/" + env.AWS_REGION + "/" + service + "/aws4_request";
  let key = "AWS4" + env.AWS_SECRET_ACCESS_KEY;
  for (const part of scope.split("/")) key = hmac(key, part);
  const signature = createHmac("sha256", key).update(["AWS4-HMAC-SHA256", date, scope, sha256(canonical)].join("\\n")).digest("hex");
  headers.authorization = "AWS4-HMAC-SHA256 Credential=" + env.AWS_ACCESS_KEY_ID + "/" + scope + ", SignedHeaders=" + names.join(";") + ", Signature=" + signature;
  delete headers.host;
  const response = await fetch(url, { method, headers, body });
  return { status: response.status, body: await response.text() };
}

function spawn() {
  try {
    return spawnSync("/bin/echo", ["spawned"]).stdout.toString().trim();
  } catch (error) {
    return error.code;
  }
}

export const handler = async (event, context) => {
  const tagged = event.tag
    ? await signed(
        "POST",
        "/2017-03-31/tags/" + encodeURIComponent(context.invokedFunctionArn),
        JSON.stringify({ Tags: { "jeff:allow": "child-process" } }),
        "lambda",
      )
    : undefined;
  return {
    tagged,
    spawn: spawn(),
    credentials: {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
      sessionToken: process.env.AWS_SESSION_TOKEN,
    },
  };
};`;

interface Outcome {
  tagged?: { status: number; body: string };
  spawn: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
}

const invoke = async (name: string, event: unknown = {}) => {
  const response = await lambda.send(
    new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode(JSON.stringify(event)) }),
  );
  expect(response.FunctionError, decode(response.Payload)).toBeUndefined();
  return JSON.parse(decode(response.Payload)) as Outcome;
};

beforeAll(async () => {
  // The operator's setting through the environment variable (the flag is in lambda-tags.test.ts).
  jeff = await startJeff({ env: { JEFF_SANDBOX_ALLOW: "env-spawner=child-process other=worker,wasi" } });
  lambda = lambdaClientFor(jeff);
});
afterAll(async () => {
  await jeff?.stop();
});

describe("a function's credentials", () => {
  it("are a session of its role, not the administrator's key, and cannot widen its sandbox", async () => {
    const { FunctionArn } = await createNodeFunction(lambda, jeff.accountId, "escalator", escalator);
    const first = await invoke("escalator", { tag: true });
    expect(first.credentials.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(first.credentials.accessKeyId).not.toBe(jeff.credentials.accessKeyId);
    expect(first.credentials.secretAccessKey).not.toBe(jeff.credentials.secretAccessKey);
    expect(first.credentials.sessionToken).toBeTruthy();
    // The call goes through (functions may call the API), and the tag is kept as any other...
    expect(first.tagged?.status, first.tagged?.body).toBe(204);
    expect(first.spawn).toBe("ERR_ACCESS_DENIED");
    const { Tags } = await lambda.send(new ListTagsCommand({ Resource: FunctionArn }));
    expect(Tags).toEqual({ "jeff:allow": "child-process" });
    // ...but grants nothing, in the warm environment or in a new one.
    expect((await invoke("escalator")).spawn).toBe("ERR_ACCESS_DENIED");
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "escalator", Timeout: 5 }));
    const fresh = await invoke("escalator");
    expect(fresh.spawn).toBe("ERR_ACCESS_DENIED");
    expect(fresh.credentials.accessKeyId).not.toBe(first.credentials.accessKeyId);
  });

  it("sign as the assumed role: GetCallerIdentity through the SDK and /usr/bin/aws", async () => {
    await createNodeFunction(lambda, jeff.accountId, "who-am-i", escalator, {
      Role: `arn:aws:iam::${jeff.accountId}:role/service-role/reporter`,
    });
    const { credentials } = await invoke("who-am-i");
    const sts = new STSClient({ endpoint: jeff.url, region: jeff.region, credentials, maxAttempts: 1 });
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({
      Account: jeff.accountId,
      Arn: `arn:aws:sts::${jeff.accountId}:assumed-role/reporter/who-am-i`,
      UserId: expect.stringMatching(/^AROA[A-Z0-9]{17}:who-am-i$/),
    });
    const cli = await aws(["sts", "get-caller-identity"], {
      ...jeff.awsEnv(),
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken,
    });
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toEqual({
      UserId: identity.UserId,
      Account: jeff.accountId,
      Arn: identity.Arn,
    });
    // The same role's id for another function's session: it names the role, not the session.
    await createNodeFunction(lambda, jeff.accountId, "who-else", escalator, {
      Role: `arn:aws:iam::${jeff.accountId}:role/service-role/reporter`,
    });
    const other = await invoke("who-else");
    const otherSts = new STSClient({
      endpoint: jeff.url,
      region: jeff.region,
      credentials: other.credentials,
      maxAttempts: 1,
    });
    const otherIdentity = await otherSts.send(new GetCallerIdentityCommand({}));
    expect(otherIdentity.UserId).toBe(`${identity.UserId!.split(":")[0]}:who-else`);
  });

  it("of a one-character function are the session NAME@lambda_function, as Lambda names it", async () => {
    await createNodeFunction(lambda, jeff.accountId, "x", escalator, {
      Role: `arn:aws:iam::${jeff.accountId}:role/reporter`,
    });
    const { credentials } = await invoke("x");
    const sts = new STSClient({ endpoint: jeff.url, region: jeff.region, credentials, maxAttempts: 1 });
    expect(await sts.send(new GetCallerIdentityCommand({}))).toMatchObject({
      Arn: `arn:aws:sts::${jeff.accountId}:assumed-role/reporter/x@lambda_function`,
      UserId: expect.stringMatching(/^AROA[A-Z0-9]{17}:x@lambda_function$/),
    });
  });
});

describe("the operator's sandbox setting", () => {
  it("lets the function named in JEFF_SANDBOX_ALLOW start processes, and no other", async () => {
    await createNodeFunction(lambda, jeff.accountId, "env-spawner", escalator);
    expect((await invoke("env-spawner")).spawn).toBe("spawned");
    await createNodeFunction(lambda, jeff.accountId, "not-named", escalator);
    expect((await invoke("not-named")).spawn).toBe("ERR_ACCESS_DENIED");
  });

  it("refuses to start with an allowance it does not know, naming it", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "jeff-sandbox-allow-"));
    try {
      const failed = await runJeff([
        "serve",
        "--port",
        "0",
        "--data-dir",
        dataDir,
        "--sandbox-allow",
        "builder=child-process,network",
      ]).catch((error: { code: number; stderr: string }) => error);
      expect(failed).toMatchObject({ code: 1 });
      expect((failed as { stderr: string }).stderr).toContain(
        "sandboxAllow.builder.1: 'network' is not one of child-process, worker, addons, wasi",
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
