// The audit trail and change events through the real server, /usr/bin/aws and the SDK: what a
// user finds with `aws cloudtrail lookup-events`, and what `jeff events tail` prints — also across
// a SIGKILL of Jeff in the middle of a burst of changes.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
} from "@aws-sdk/client-cloudformation";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import Database from "better-sqlite3";
import { zipSync } from "fflate";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeEnvFor, storeUrlFor, testEngine } from "../stores.js";
import { lookupEvents, type TrailEvent, type TrailJson } from "./cloudtrail-lookup.js";
import { aws, type JeffProcess, jeffBin, repoRoot, sdkConfig, startJeff } from "./jeff-process.js";
import { decode, lambdaClientFor, text } from "./lambda-helpers.js";
import { until } from "./until.js";

/** `jeff events tail --all --json` on a data directory: the events it has printed so far. */
async function tailEvents(dataDir: string) {
  const tail = spawn(
    process.execPath,
    [jeffBin, "events", "tail", "--all", "--json", "--data-dir", dataDir],
    {
      cwd: repoRoot,
      env: { ...process.env, ...(await storeEnvFor(dataDir)) },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let printed = "";
  tail.stdout!.on("data", (chunk: Buffer) => {
    printed += chunk.toString();
  });
  return {
    tail,
    events: () =>
      printed
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as { "detail-type": string; resources: string[]; detail: TrailJson }),
  };
}

describe("the audit trail", () => {
  let jeff: JeffProcess;
  beforeAll(async () => {
    jeff = await startJeff();
  });
  afterAll(async () => {
    await jeff?.stop();
  });

  it("records a function created with the CLI and one created by a stack, the stack's as invoked by CloudFormation", async () => {
    const dir = await mkdtemp(join(tmpdir(), "jeff-audit-zip-"));
    const zip = join(dir, "fn.zip");
    await import("node:fs/promises").then((fs) =>
      fs.writeFile(zip, zipSync({ "index.mjs": text("export const handler = async () => 'hi';") })),
    );
    const created = await aws(
      [
        "lambda",
        "create-function",
        "--function-name",
        "cli-fn",
        "--runtime",
        "nodejs20.x",
        "--handler",
        "index.handler",
        "--role",
        `arn:aws:iam::${jeff.accountId}:role/lambda-role`,
        "--zip-file",
        `fileb://${zip}`,
        "--environment",
        "Variables={DB_PASSWORD=hunter2-very-secret}",
      ],
      jeff.awsEnv(),
    );
    await rm(dir, { recursive: true, force: true });
    expect(created.code).toBe(0);

    const cfn = new CloudFormationClient(sdkConfig(jeff));
    await cfn.send(
      new CreateStackCommand({
        StackName: "audited",
        TemplateBody: JSON.stringify({
          Resources: {
            Fn: {
              Type: "AWS::Lambda::Function",
              Properties: {
                FunctionName: "stack-fn",
                Runtime: "nodejs20.x",
                Handler: "index.handler",
                Role: `arn:aws:iam::${jeff.accountId}:role/lambda-role`,
                Code: { ZipFile: "exports.handler = async () => 'hi';" },
              },
            },
            Setting: {
              Type: "AWS::SSM::Parameter",
              Properties: { Name: "/audited/setting", Type: "String", Value: "on" },
            },
          },
        }),
      }),
    );
    let status = "";
    await until(
      async () => {
        status =
          (await cfn.send(new DescribeStacksCommand({ StackName: "audited" }))).Stacks?.[0]?.StackStatus ??
          "";
        return !status.endsWith("_IN_PROGRESS");
      },
      () => `the stack to finish (last ${status})`,
    );
    expect(status).toBe("CREATE_COMPLETE");

    const events = await lookupEvents(jeff, "EventName", "CreateFunction");
    const byName = new Map(events.map((event) => [event.Resources[0]?.ResourceName, event]));
    const cli = byName.get("cli-fn")!;
    expect(cli).toMatchObject({ ReadOnly: "false", Username: "admin" });
    expect(cli.Resources).toEqual([{ ResourceType: "AWS::Lambda::Function", ResourceName: "cli-fn" }]);
    expect(cli.record).toMatchObject({
      eventSource: "lambda.amazonaws.com",
      eventName: "CreateFunction",
      userIdentity: { type: "IAMUser", userName: "admin", accessKeyId: jeff.credentials.accessKeyId },
      requestParameters: { functionName: "cli-fn", environment: "HIDDEN_DUE_TO_SECURITY_REASONS" },
      responseElements: { functionName: "cli-fn", runtime: "nodejs20.x" },
    });
    expect(cli.record.userIdentity.invokedBy).toBeUndefined();
    // Neither the variable's value nor the package is in the record.
    expect(cli.CloudTrailEvent).not.toContain("hunter2");
    expect(cli.record.requestParameters.code.zipFile).toBe("HIDDEN_DUE_TO_SECURITY_REASONS");

    const stack = byName.get("stack-fn")!;
    expect(stack.record).toMatchObject({
      userIdentity: { type: "IAMUser", userName: "admin", invokedBy: "cloudformation.amazonaws.com" },
      sourceIPAddress: "cloudformation.amazonaws.com",
      userAgent: "cloudformation.amazonaws.com",
    });
    const [setting] = await lookupEvents(jeff, "ResourceName", "/audited/setting");
    expect(setting!.record).toMatchObject({
      eventName: "PutParameter",
      userIdentity: { userName: "admin", invokedBy: "cloudformation.amazonaws.com" },
      requestParameters: { name: "/audited/setting", value: "HIDDEN_DUE_TO_SECURITY_REASONS" },
    });
    // The stack's own call is there too, as the user's.
    const [createStack] = await lookupEvents(jeff, "EventName", "CreateStack");
    expect(createStack!.record).toMatchObject({
      eventSource: "cloudformation.amazonaws.com",
      requestParameters: { stackName: "audited" },
    });
  });

  it("records a failed call with its error code", async () => {
    const missing = await aws(["lambda", "get-function", "--function-name", "no-such-fn"], jeff.awsEnv());
    expect(missing.code).not.toBe(0);
    const deleted = await aws(["lambda", "delete-function", "--function-name", "no-such-fn"], jeff.awsEnv());
    expect(deleted.code).not.toBe(0);
    for (const name of ["GetFunction", "DeleteFunction"]) {
      const events = await lookupEvents(jeff, "ResourceName", "no-such-fn");
      const failed = events.find((event) => event.EventName === name);
      expect(failed?.record).toMatchObject({
        errorCode: "ResourceNotFoundException",
        responseElements: null,
      });
      expect(failed?.record.errorMessage).toContain("no-such-fn");
    }
  });

  it("hides an SSM value and the secret of temporary credentials", async () => {
    const ssm = new SSMClient(sdkConfig(jeff));
    await ssm.send(
      new PutParameterCommand({ Name: "/audit/db", Value: "correct-horse-battery", Type: "SecureString" }),
    );
    await ssm.send(new GetParameterCommand({ Name: "/audit/db" }));
    const session = await aws(["sts", "get-session-token"], jeff.awsEnv());
    const secret = (JSON.parse(session.stdout) as { Credentials: { SecretAccessKey: string } }).Credentials
      .SecretAccessKey;
    const put = await lookupEvents(jeff, "ResourceName", "/audit/db");
    expect(put.map((event) => event.EventName).sort()).toEqual(["GetParameter", "PutParameter"]);
    for (const event of put) expect(event.CloudTrailEvent).not.toContain("correct-horse-battery");
    const [token] = await lookupEvents(jeff, "EventName", "GetSessionToken");
    expect(token!.record.responseElements.credentials.secretAccessKey).toBe("HIDDEN_DUE_TO_SECURITY_REASONS");
    expect(token!.CloudTrailEvent).not.toContain(secret);
  });

  it("leaves no record of an invocation, a data event no trail selects", async () => {
    const lambda = lambdaClientFor(jeff);
    const result = await lambda.send(new InvokeCommand({ FunctionName: "cli-fn", Payload: text("{}") }));
    expect(decode(result.Payload)).toBe('"hi"');
    expect(await lookupEvents(jeff, "EventName", "Invoke")).toEqual([]);
  });

  it("pages with MaxResults and NextToken, and refuses what CloudTrail refuses", async () => {
    for (const name of ["/page/a", "/page/b", "/page/c"]) {
      expect(
        (
          await aws(
            ["ssm", "put-parameter", "--name", name, "--value", "v", "--type", "String"],
            jeff.awsEnv(),
          )
        ).code,
      ).toBe(0);
    }
    const first = await aws(
      ["cloudtrail", "lookup-events", "--max-results", "2", "--output", "json", "--no-paginate"],
      jeff.awsEnv(),
    );
    expect(first.stderr).toBe("");
    const page = JSON.parse(first.stdout) as { Events: TrailEvent[]; NextToken?: string };
    expect(page.Events).toHaveLength(2);
    expect(page.NextToken).toBeDefined();
    const second = await aws(
      [
        "cloudtrail",
        "lookup-events",
        "--max-results",
        "2",
        "--next-token",
        page.NextToken!,
        "--output",
        "json",
        "--no-paginate",
      ],
      jeff.awsEnv(),
    );
    expect(second.stderr).toBe("");
    const next = JSON.parse(second.stdout) as { Events: TrailEvent[] };
    const ids = (events: TrailEvent[]) => events.map((event) => JSON.parse(event.CloudTrailEvent).eventID);
    expect(ids(next.Events).some((id) => ids(page.Events).includes(id))).toBe(false);
    const tooMany = await aws(["cloudtrail", "lookup-events", "--max-results", "51"], jeff.awsEnv());
    expect(tooMany.stderr).toContain("InvalidMaxResultsException");
    const twoKeys = await aws(
      [
        "cloudtrail",
        "lookup-events",
        "--lookup-attributes",
        "AttributeKey=EventName,AttributeValue=CreateFunction",
        "AttributeKey=ReadOnly,AttributeValue=false",
      ],
      jeff.awsEnv(),
    );
    expect(twoKeys.stderr).toContain("InvalidLookupAttributesException");
  });

  it("refuses to change or delete an audit record, even through the store file", async () => {
    if (testEngine === "postgres") {
      // Straight to the database, past Jeff: its triggers refuse, TRUNCATE too.
      const db = new pg.Client({ connectionString: await storeUrlFor(jeff.dataDir) });
      await db.connect();
      try {
        await expect(db.query("UPDATE audit_events SET event_name = 'Nothing'")).rejects.toThrow(
          /append-only/,
        );
        await expect(db.query("DELETE FROM audit_events")).rejects.toThrow(/retention period/);
        await expect(db.query("TRUNCATE audit_events")).rejects.toThrow(/append-only/);
        const { rows } = await db.query<{ n: string }>("SELECT COUNT(*) AS n FROM audit_events");
        expect(Number(rows[0]!.n)).toBeGreaterThan(0);
      } finally {
        await db.end();
      }
      return;
    }
    const db = new Database(join(jeff.dataDir, "jeff.db"));
    try {
      expect(() => db.prepare("UPDATE audit_events SET event_name = 'Nothing'").run()).toThrow(/append-only/);
      expect(() => db.prepare("DELETE FROM audit_events").run()).toThrow(/retention period/);
      expect((db.prepare("SELECT COUNT(*) AS n FROM audit_events").get() as { n: number }).n).toBeGreaterThan(
        0,
      );
    } finally {
      db.close();
    }
  });
});

describe("CloudFormation's change events", () => {
  let jeff: JeffProcess;
  let tail: ChildProcess | undefined;
  beforeAll(async () => {
    jeff = await startJeff();
  });
  afterAll(async () => {
    tail?.kill("SIGTERM");
    await jeff?.stop();
  });

  it("announces each status change of a stack and of its resources, as CloudFormation's events", async () => {
    const following = await tailEvents(jeff.dataDir);
    tail = following.tail;
    const cfn = new CloudFormationClient(sdkConfig(jeff));
    const { StackId: stackId } = await cfn.send(
      new CreateStackCommand({
        StackName: "announced",
        TemplateBody: JSON.stringify({
          Resources: {
            Greeting: {
              Type: "AWS::SSM::Parameter",
              Properties: { Name: "/announced/greeting", Type: "String", Value: "hello" },
            },
          },
        }),
      }),
    );
    const ofStack = () =>
      following
        .events()
        .filter(
          (event) => event["detail-type"].startsWith("CloudFormation ") && event.resources[0] === stackId,
        );
    const statuses = () =>
      ofStack().map(
        (event) =>
          `${event.detail["logical-resource-id"] ?? "stack"} ${event.detail["status-details"].status}`,
      );
    await until(
      () => statuses().includes("stack CREATE_COMPLETE"),
      () => `the stack's CREATE_COMPLETE in the tail (so far: ${statuses().join(", ")})`,
    );
    expect(statuses()).toEqual([
      "stack CREATE_IN_PROGRESS",
      "Greeting CREATE_IN_PROGRESS",
      "Greeting CREATE_COMPLETE",
      "stack CREATE_COMPLETE",
    ]);
    const [started, resourceStarted, resourceDone] = ofStack();
    expect(started).toMatchObject({
      version: "0",
      "detail-type": "CloudFormation Stack Status Change",
      source: "aws.cloudformation",
      account: jeff.accountId,
      region: jeff.region,
      resources: [stackId],
      detail: {
        "stack-id": stackId,
        "status-details": { status: "CREATE_IN_PROGRESS", "status-reason": "User Initiated" },
      },
    });
    expect(resourceStarted).toMatchObject({
      "detail-type": "CloudFormation Resource Status Change",
      detail: { "logical-resource-id": "Greeting", "resource-type": "AWS::SSM::Parameter" },
    });
    expect(resourceDone).toMatchObject({
      "detail-type": "CloudFormation Resource Status Change",
      source: "aws.cloudformation",
      resources: [stackId],
      detail: {
        "stack-id": stackId,
        "logical-resource-id": "Greeting",
        "physical-resource-id": "/announced/greeting",
        "resource-type": "AWS::SSM::Parameter",
        "status-details": { status: "CREATE_COMPLETE", "status-reason": "" },
      },
    });
  });
});

describe("jeff events tail", () => {
  let dataDir: string;
  let jeff: JeffProcess;
  let tail: ChildProcess | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "jeff-events-"));
  });
  afterAll(async () => {
    tail?.kill("SIGTERM");
    await jeff?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("prints every acknowledged change once Jeff is back after a SIGKILL in the middle of a burst", async () => {
    jeff = await startJeff({ dataDir });
    const following = await tailEvents(dataDir);
    tail = following.tail;
    const { events } = following;
    const client = () => new SSMClient(sdkConfig(jeff));
    // The tail is following once it prints the first change.
    await client().send(new PutParameterCommand({ Name: "/burst/first", Value: "v", Type: "String" }));
    await until(() => events().length > 0, "the tail to print the first change");

    // A burst of puts; Jeff is killed while they are still coming.
    const acknowledged: string[] = [];
    const ssm = client();
    const burst = (async () => {
      for (let i = 0; ; i++) {
        try {
          await ssm.send(new PutParameterCommand({ Name: `/burst/p${i}`, Value: "v", Type: "String" }));
          acknowledged.push(`/burst/p${i}`);
        } catch {
          return;
        }
      }
    })();
    await until(() => acknowledged.length >= 20, "20 puts to be acknowledged");
    jeff.child.kill("SIGKILL");
    await jeff.exited();
    await burst;

    jeff = await startJeff({ dataDir });
    const changed = () =>
      new Set(
        events()
          .filter((event) => event["detail-type"] === "Parameter Store Change")
          .map((event) => event.detail.name as string),
      );
    await until(
      () => acknowledged.every((name) => changed().has(name)),
      () =>
        `every acknowledged put in the tail; missing ${acknowledged.filter((n) => !changed().has(n)).join(", ")}`,
    );
    // And every change printed happened: the parameter is there.
    const after = client();
    for (const name of changed()) {
      expect((await after.send(new GetParameterCommand({ Name: name }))).Parameter?.Name).toBe(name);
    }
    // Each event is printed once, however the reconnect fell.
    const ids = events().map((event) => JSON.stringify(event));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
