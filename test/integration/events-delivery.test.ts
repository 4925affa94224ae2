// Events reaching their targets: a function invoked with the event as EventBridge sends it (or the
// target's Input), a bus forwarding to another bus, the AWS CLI's event showing in a function's
// log, and a target that does not exist ending in its dead-letter queue without retries; and
// Lambda putting an asynchronous invocation's outcome on a bus (its destinations).

import { spawn } from "node:child_process";
import { join } from "node:path";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  type LambdaClient,
  PutFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeEnvFor } from "../stores.js";
import { aws, type JeffProcess, jeffBin, repoRoot, runJeff, startJeff } from "./jeff-process.js";
import { createNodeFunction, failure, lambdaClientFor, startCollector } from "./lambda-helpers.js";
import { until } from "./until.js";

interface Report {
  readonly fn: string;
  readonly event: Record<string, unknown>;
}

let jeff: JeffProcess;
let events: EventBridgeClient;
let lambda: LambdaClient;
let collector: Awaited<ReturnType<typeof startCollector<Report>>>;

// Reports what it received to the collector, and logs it.
const reporter = (fn: string) => `export const handler = async (event) => {
  console.log("received " + JSON.stringify(event));
  await (await fetch(process.env.COLLECTOR, { method: "POST", body: JSON.stringify({ fn: ${JSON.stringify(fn)}, event }) })).text();
  return "ok";
};`;

beforeAll(async () => {
  collector = await startCollector<Report>();
  jeff = await startJeff({ env: collector.jeffEnv });
  events = new EventBridgeClient({
    endpoint: jeff.url,
    region: jeff.region,
    credentials: jeff.credentials,
    maxAttempts: 1,
  });
  lambda = lambdaClientFor(jeff);
  for (const fn of ["orders-fn", "fixed-fn", "audit-fn", "shaped-fn", "activity-fn", "outcome-fn"]) {
    await createNodeFunction(lambda, jeff.accountId, fn, reporter(fn), {
      Environment: { Variables: { COLLECTOR: collector.url } },
    });
  }
}, 120_000);
afterAll(async () => {
  await jeff?.stop();
  await collector?.close();
});

const functionArn = (name: string) => `arn:aws:lambda:${jeff.region}:${jeff.accountId}:function:${name}`;
const reportsOf = (fn: string) => collector.reports.filter((report) => report.fn === fn);

describe("delivery", () => {
  it("invokes each matching function target with the event, or with the target's Input", async () => {
    await events.send(new CreateEventBusCommand({ Name: "shop" }));
    await events.send(
      new PutRuleCommand({
        Name: "orders",
        EventBusName: "shop",
        EventPattern: JSON.stringify({ source: ["shop.orders"] }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: "orders",
        EventBusName: "shop",
        Targets: [
          { Id: "whole", Arn: functionArn("orders-fn") },
          { Id: "fixed", Arn: functionArn("fixed-fn"), Input: '{"fixed":true}' },
        ],
      }),
    );
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: "shop",
            Source: "shop.orders",
            DetailType: "Order Placed",
            Detail: '{"id":7}',
            Resources: ["arn:x"],
          },
          { EventBusName: "shop", Source: "shop.other", DetailType: "Order Placed", Detail: '{"id":8}' },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    await until(
      () => reportsOf("orders-fn").length >= 1 && reportsOf("fixed-fn").length >= 1,
      "both targets invoked",
    );
    const [received] = reportsOf("orders-fn");
    expect(received!.event).toEqual({
      version: "0",
      id: put.Entries![0]!.EventId,
      "detail-type": "Order Placed",
      source: "shop.orders",
      account: jeff.accountId,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: jeff.region,
      resources: ["arn:x"],
      detail: { id: 7 },
    });
    expect(reportsOf("fixed-fn")[0]!.event).toEqual({ fixed: true });
    // The event that matched no rule reached no one.
    expect(
      collector.reports.some((report) => (report.event.detail as { id?: number } | undefined)?.id === 8),
    ).toBe(false);
  });

  it("shapes the input with an InputTransformer, and refuses a template naming an unknown placeholder", async () => {
    await events.send(
      new PutRuleCommand({ Name: "shaped", EventPattern: JSON.stringify({ source: ["shaped"] }) }),
    );
    const refused = await failure(
      events.send(
        new PutTargetsCommand({
          Rule: "shaped",
          Targets: [
            {
              Id: "t",
              Arn: functionArn("shaped-fn"),
              InputTransformer: {
                InputPathsMap: { id: "$.detail.id" },
                InputTemplate: '{"order": <id>, "x": <nope>}',
              },
            },
          ],
        }),
      ),
    );
    expect([refused.name, refused.message]).toEqual([
      "ValidationException",
      "InputTemplate for target t contains invalid placeholder nope.",
    ]);
    await events.send(
      new PutTargetsCommand({
        Rule: "shaped",
        Targets: [
          {
            Id: "t",
            Arn: functionArn("shaped-fn"),
            InputTransformer: {
              InputPathsMap: { id: "$.detail.id", kind: "$.detail-type" },
              InputTemplate: '{"order": <id>, "kind": "<kind>", "rule": "<aws.events.rule-name>"}',
            },
          },
        ],
      }),
    );
    await events.send(
      new PutEventsCommand({ Entries: [{ Source: "shaped", DetailType: "Placed", Detail: '{"id":42}' }] }),
    );
    await until(() => reportsOf("shaped-fn").length >= 1, "the shaped input delivered");
    expect(reportsOf("shaped-fn")[0]!.event).toEqual({ order: 42, kind: "Placed", rule: "shaped" });
  });

  it("forwards an event from one bus to another bus's rules", async () => {
    await events.send(new CreateEventBusCommand({ Name: "audit" }));
    await events.send(
      new PutRuleCommand({ Name: "forward", EventPattern: JSON.stringify({ source: ["forwarded"] }) }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: "forward",
        Targets: [{ Id: "bus", Arn: `arn:aws:events:${jeff.region}:${jeff.accountId}:event-bus/audit` }],
      }),
    );
    await events.send(
      new PutRuleCommand({
        Name: "record",
        EventBusName: "audit",
        EventPattern: JSON.stringify({ source: ["forwarded"] }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: "record",
        EventBusName: "audit",
        Targets: [{ Id: "fn", Arn: functionArn("audit-fn") }],
      }),
    );
    const put = await events.send(
      new PutEventsCommand({ Entries: [{ Source: "forwarded", DetailType: "d", Detail: '{"hop":1}' }] }),
    );
    await until(() => reportsOf("audit-fn").length >= 1, "the event forwarded to the audit bus's function");
    expect(reportsOf("audit-fn")[0]!.event).toMatchObject({
      id: put.Entries![0]!.EventId,
      detail: { hop: 1 },
    });
  });

  it("puts an asynchronous invocation's outcome on a bus named as its destination, as Lambda's events", async () => {
    await events.send(new CreateEventBusCommand({ Name: "outcomes" }));
    const busArn = `arn:aws:events:${jeff.region}:${jeff.accountId}:event-bus/outcomes`;
    await events.send(
      new PutRuleCommand({
        Name: "lambda-results",
        EventBusName: "outcomes",
        EventPattern: JSON.stringify({ source: ["lambda"] }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: "lambda-results",
        EventBusName: "outcomes",
        Targets: [{ Id: "fn", Arn: functionArn("outcome-fn") }],
      }),
    );
    await createNodeFunction(
      lambda,
      jeff.accountId,
      "judged-fn",
      `export const handler = async (event) => {
        if (event.mode === "failure") throw new Error("intentional failure!");
        if (event.mode === "large") return "x".repeat(300 * 1024);
        return { hello: "world" };
      };`,
    );
    // Another Region's bus is not this Jeff's to deliver to, and changes nothing.
    const elsewhere = `arn:aws:events:eu-north-9:${jeff.accountId}:event-bus/outcomes`;
    const refused = await failure(
      lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: "judged-fn",
          DestinationConfig: { OnSuccess: { Destination: elsewhere } },
        }),
      ),
    );
    expect(refused.name).toBe("InvalidParameterValueException");
    expect(refused.message).toContain(elsewhere);
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "judged-fn",
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnSuccess: { Destination: busArn }, OnFailure: { Destination: busArn } },
      }),
    );
    const requestIds: Record<string, string | undefined> = {};
    for (const mode of ["success", "failure", "large"]) {
      const sent = await lambda.send(
        new InvokeCommand({
          FunctionName: "judged-fn",
          InvocationType: "Event",
          Payload: JSON.stringify({ mode }),
        }),
      );
      expect(sent.StatusCode).toBe(202);
      requestIds[mode] = sent.$metadata.requestId;
    }
    await until(() => reportsOf("outcome-fn").length >= 2, "both outcomes on the bus's rule's function");
    const byType = (type: string) =>
      reportsOf("outcome-fn").find((r) => r.event["detail-type"] === type)!.event;
    const invoked = `${functionArn("judged-fn")}:$LATEST`;
    expect(byType("Lambda Function Invocation Result - Success")).toMatchObject({
      version: "0",
      source: "lambda",
      account: jeff.accountId,
      region: jeff.region,
      resources: [busArn, invoked],
      detail: {
        version: "1.0",
        requestContext: {
          requestId: requestIds.success,
          functionArn: invoked,
          condition: "Success",
          approximateInvokeCount: 1,
        },
        requestPayload: { mode: "success" },
        responseContext: { statusCode: 200, executedVersion: "$LATEST" },
        responsePayload: { hello: "world" },
      },
    });
    expect(byType("Lambda Function Invocation Result - Failure")).toMatchObject({
      source: "lambda",
      resources: [busArn, invoked],
      detail: {
        requestContext: {
          requestId: requestIds.failure,
          condition: "RetriesExhausted",
          approximateInvokeCount: 1,
        },
        requestPayload: { mode: "failure" },
        responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
        responsePayload: { errorType: "Error", errorMessage: "intentional failure!" },
      },
    });
    // A record over EventBridge's 256 KB entry limit is not delivered, as on Lambda, and says so.
    await until(
      () => jeff.logs().includes(requestIds.large!) && jeff.logs().includes("256 KB entry limit"),
      "the oversized record to be dropped",
    );
    const reported = reportsOf("outcome-fn").map((r) => JSON.stringify(r.event));
    expect(reported.some((text) => text.includes(requestIds.large!))).toBe(false);
    // A bus that does not exist takes the record and delivers it nowhere, as on AWS; the log says so.
    const gone = `arn:aws:events:${jeff.region}:${jeff.accountId}:event-bus/gone`;
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "judged-fn",
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnSuccess: { Destination: gone } },
      }),
    );
    const toNowhere = await lambda.send(
      new InvokeCommand({
        FunctionName: "judged-fn",
        InvocationType: "Event",
        Payload: '{"mode":"success"}',
      }),
    );
    await until(
      () =>
        jeff.logs().includes(toNowhere.$metadata.requestId!) &&
        jeff.logs().includes("the bus does not exist"),
      "the record for a bus that does not exist to be dropped",
    );
    // A hostile bootstrap's response nested deeper than a record can hold (a Python function's
    // own json cannot nest so deep): dropped and said so, as a delivery failure, not retried.
    const bootstrap = `#!/bin/sh
while true; do
  HEADERS=$(mktemp)
  curl -sS -o /dev/null -D "$HEADERS" "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/next"
  REQUEST=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  python3 -c 'print("[" * 60000 + "]" * 60000)' > /tmp/deep
  curl -sS -X POST "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation/$REQUEST/response" --data-binary @/tmp/deep >/dev/null
done
`;
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "nested-fn",
        Runtime: "provided.al2023",
        Handler: "x",
        Role: `arn:aws:iam::${jeff.accountId}:role/lambda-role`,
        Code: {
          ZipFile: zipSync({
            bootstrap: [new TextEncoder().encode(bootstrap), { attrs: 0o100755 << 16, os: 3 }],
          } as Parameters<typeof zipSync>[0]),
        },
      }),
    );
    await until(
      async () =>
        (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "nested-fn" }))).State ===
        "Active",
      "nested-fn to be active",
    );
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "nested-fn",
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnSuccess: { Destination: busArn } },
      }),
    );
    const nested = await lambda.send(
      new InvokeCommand({ FunctionName: "nested-fn", InvocationType: "Event" }),
    );
    await until(
      () => jeff.logs().includes(nested.$metadata.requestId!) && jeff.logs().includes("nested too deeply"),
      "the record of a response nested too deeply to be dropped",
    );
    await until(
      async () =>
        (await (await fetch(`${jeff.url}/_jeff/metrics`)).text()).includes(
          'jeff_function_destination_delivery_failures_total{function="nested-fn"} 1',
        ),
      "the nested record to be counted",
    );
    // Both counted once committed, as Lambda's DestinationDeliveryFailures counts them.
    await until(
      async () =>
        (await (await fetch(`${jeff.url}/_jeff/metrics`)).text()).includes(
          'jeff_function_destination_delivery_failures_total{function="judged-fn"} 2',
        ),
      "both dropped records to be counted",
    );
  });

  it("shows an event put with the AWS CLI in the target function's log", async () => {
    const env = jeff.awsEnv();
    await aws(
      ["events", "put-rule", "--name", "cli-logs", "--event-pattern", '{"source":["cli.logs"]}'],
      env,
    );
    await aws(
      ["events", "put-targets", "--rule", "cli-logs", "--targets", `Id=fn,Arn=${functionArn("orders-fn")}`],
      env,
    );
    const put = await aws(
      [
        "events",
        "put-events",
        "--entries",
        JSON.stringify([{ Source: "cli.logs", DetailType: "d", Detail: '{"from":"cli"}' }]),
        "--output",
        "json",
      ],
      env,
    );
    const eventId = JSON.parse(put.stdout).Entries[0].EventId as string;
    let logged = "";
    await until(
      async () => {
        const out = await aws(
          [
            "logs",
            "filter-log-events",
            "--log-group-name",
            "/aws/lambda/orders-fn",
            "--filter-pattern",
            `"${eventId}"`,
            "--output",
            "json",
          ],
          env,
        );
        logged = out.stdout;
        return out.code === 0 && (JSON.parse(out.stdout).events as unknown[]).length > 0;
      },
      () => `the event ${eventId} in the function's log (last answer: ${logged})`,
    );
    expect(logged).toContain("cli.logs");
  });

  it("sends a delivery to a function that does not exist to the dead-letter queue, without retrying", async () => {
    const queueArn = `arn:aws:sqs:${jeff.region}:${jeff.accountId}:missed`;
    await events.send(
      new PutRuleCommand({ Name: "nowhere", EventPattern: JSON.stringify({ source: ["nowhere"] }) }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: "nowhere",
        Targets: [{ Id: "gone", Arn: functionArn("no-such-fn"), DeadLetterConfig: { Arn: queueArn } }],
      }),
    );
    const put = await events.send(
      new PutEventsCommand({ Entries: [{ Source: "nowhere", DetailType: "d", Detail: "{}" }] }),
    );
    let letters: { queueArn: string; body: string; attributes: Record<string, string> }[] = [];
    await until(async () => {
      const { stdout } = await runJeff(["events", "dead-letters", "--json", "--data-dir", jeff.dataDir]);
      letters = JSON.parse(stdout).deadLetters;
      return letters.length > 0;
    }, "a dead letter");
    expect(letters).toHaveLength(1);
    expect(letters[0]!.queueArn).toBe(queueArn);
    expect(JSON.parse(letters[0]!.body).id).toBe(put.Entries![0]!.EventId);
    expect(letters[0]!.attributes).toMatchObject({
      RULE_ARN: `arn:aws:events:${jeff.region}:${jeff.accountId}:rule/nowhere`,
      TARGET_ARN: functionArn("no-such-fn"),
      ERROR_CODE: "NO_RESOURCE",
      RETRY_ATTEMPTS: "0",
    });
  });

  it("puts Jeff's own events on the default bus: a stack jeff deploy creates reaching CREATE_COMPLETE, a parameter changing", async () => {
    await events.send(
      new PutRuleCommand({
        Name: "activity",
        EventPattern: JSON.stringify({
          source: ["aws.cloudformation", "aws.ssm"],
          "detail-type": ["CloudFormation Stack Status Change", "Parameter Store Change"],
        }),
      }),
    );
    await events.send(
      new PutTargetsCommand({ Rule: "activity", Targets: [{ Id: "fn", Arn: functionArn("activity-fn") }] }),
    );
    // A stack deployed as a user deploys one.
    const deployed = await runJeff(["deploy", "--stack", "activity", "--data-dir", jeff.dataDir, "--json"], {
      cwd: join(repoRoot, "test/fixtures/projects/remote"),
    });
    expect(JSON.parse(deployed.stdout)).toMatchObject({ status: "CREATE_COMPLETE" });
    const cloudformation = new CloudFormationClient({
      endpoint: jeff.url,
      region: jeff.region,
      credentials: jeff.credentials,
      maxAttempts: 1,
    });
    const StackId = (await cloudformation.send(new DescribeStacksCommand({ StackName: "activity" })))
      .Stacks![0]!.StackId;
    const ssm = new SSMClient({
      endpoint: jeff.url,
      region: jeff.region,
      credentials: jeff.credentials,
      maxAttempts: 1,
    });
    await ssm.send(new PutParameterCommand({ Name: "/activity/setting", Type: "String", Value: "on" }));
    const statusOf = (report: Report) =>
      (report.event.detail as { "status-details"?: { status?: string } })["status-details"]?.status;
    await until(
      () => reportsOf("activity-fn").some((report) => statusOf(report) === "CREATE_COMPLETE"),
      () => `the stack's CREATE_COMPLETE (seen: ${JSON.stringify(reportsOf("activity-fn").map(statusOf))})`,
    );
    const complete = reportsOf("activity-fn").find((report) => statusOf(report) === "CREATE_COMPLETE")!;
    expect(complete.event).toMatchObject({
      version: "0",
      source: "aws.cloudformation",
      "detail-type": "CloudFormation Stack Status Change",
      account: jeff.accountId,
      region: jeff.region,
      resources: [StackId],
      detail: {
        "stack-id": StackId,
        "status-details": { status: "CREATE_COMPLETE", "status-reason": "" },
        "client-request-token": "",
      },
    });
    // The parameter put, in SSM's own words.
    await until(
      () =>
        reportsOf("activity-fn").some((report) => report.event["detail-type"] === "Parameter Store Change"),
      "the Parameter Store Change",
    );
    expect(
      reportsOf("activity-fn").find((report) => report.event["detail-type"] === "Parameter Store Change")!
        .event,
    ).toMatchObject({
      source: "aws.ssm",
      detail: { name: "/activity/setting", type: "String", operation: "Create" },
    });
  });

  it("watches a bus live with jeff events tail --bus, filtered by a pattern", async () => {
    await events.send(new CreateEventBusCommand({ Name: "watched" }));
    const tail = spawn(
      process.execPath,
      [
        jeffBin,
        "events",
        "tail",
        "--bus",
        "watched",
        "--pattern",
        '{"source":["seen"]}',
        "--json",
        "--data-dir",
        jeff.dataDir,
      ],
      {
        env: { ...process.env, ...(await storeEnvFor(jeff.dataDir)) },
      },
    );
    let out = "";
    tail.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    try {
      // The watch starts once connected: put events until one shows.
      await until(async () => {
        await events.send(
          new PutEventsCommand({
            Entries: [
              { EventBusName: "watched", Source: "seen", DetailType: "d", Detail: '{"watch":1}' },
              { EventBusName: "watched", Source: "unseen", DetailType: "d", Detail: '{"watch":2}' },
            ],
          }),
        );
        return out.includes('"source":"seen"');
      }, "jeff events tail --bus to print the matching event");
      const shown = out
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { source: string; detail: unknown });
      expect(shown[0]).toMatchObject({ source: "seen", "detail-type": "d", detail: { watch: 1 } });
      expect(shown.every((event) => event.source === "seen")).toBe(true);
    } finally {
      tail.kill("SIGINT");
    }
  });

  it("puts an event and tests a pattern from jeff's own CLI", async () => {
    await events.send(
      new PutRuleCommand({ Name: "jeff-cli", EventPattern: JSON.stringify({ source: ["jeff.cli"] }) }),
    );
    await events.send(
      new PutTargetsCommand({ Rule: "jeff-cli", Targets: [{ Id: "fn", Arn: functionArn("fixed-fn") }] }),
    );
    const before = reportsOf("fixed-fn").length;
    const put = await runJeff([
      "events",
      "put",
      "--source",
      "jeff.cli",
      "--detail-type",
      "d",
      "--detail",
      '{"via":"jeff"}',
      "--json",
      "--data-dir",
      jeff.dataDir,
    ]);
    const { EventId } = JSON.parse(put.stdout) as { EventId: string };
    await until(() => reportsOf("fixed-fn").length > before, "the event put by jeff events put");
    expect(reportsOf("fixed-fn").at(-1)!.event).toMatchObject({ id: EventId, detail: { via: "jeff" } });

    const event = JSON.stringify({
      id: "1",
      account: "1",
      source: "jeff.cli",
      time: "t",
      region: "r",
      "detail-type": "d",
    });
    expect((await runJeff(["events", "test-pattern", '{"source":["jeff.cli"]}', event])).stdout.trim()).toBe(
      "true",
    );
    expect((await runJeff(["events", "test-pattern", '{"source":["other"]}', event])).stdout.trim()).toBe(
      "false",
    );
  });
});
