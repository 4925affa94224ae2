// EventBridge in templates: a bus and a SAM function's EventBridgeRule event, created by a stack as
// the API's own calls, delivering to the function; deleting the stack removes them.
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
} from "@aws-sdk/client-cloudformation";
import {
  DescribeArchiveCommand,
  DescribeEventBusCommand,
  EventBridgeClient,
  ListApiDestinationsCommand,
  ListArchivesCommand,
  ListConnectionsCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
} from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JeffProcess, startJeff } from "./jeff-process.js";
import { failure, startCollector } from "./lambda-helpers.js";
import { until } from "./until.js";

let jeff: JeffProcess;
let collector: Awaited<ReturnType<typeof startCollector<{ event: Record<string, unknown> }>>>;
let events: EventBridgeClient;
let cloudformation: CloudFormationClient;

beforeAll(async () => {
  collector = await startCollector();
  jeff = await startJeff({ env: collector.jeffEnv });
  const config = { endpoint: jeff.url, region: jeff.region, credentials: jeff.credentials, maxAttempts: 1 };
  events = new EventBridgeClient(config);
  cloudformation = new CloudFormationClient(config);
});
afterAll(async () => {
  await jeff?.stop();
  await collector?.close();
});

const statusOf = async (stack: string) =>
  (await cloudformation.send(new DescribeStacksCommand({ StackName: stack }))).Stacks?.[0]?.StackStatus;

describe("EventBridge resources in templates", () => {
  it("creates a bus and a function's EventBridgeRule, delivers through them, and deletes them with the stack", async () => {
    const template = {
      Transform: "AWS::Serverless-2016-10-31",
      Resources: {
        Bus: { Type: "AWS::Events::EventBus", Properties: { Name: "stack-bus" } },
        Kept: {
          Type: "AWS::Events::Archive",
          Properties: {
            SourceArn: { "Fn::GetAtt": ["Bus", "Arn"] },
            EventPattern: { source: ["from-stack"] },
            RetentionDays: 3,
          },
        },
        Key: {
          Type: "AWS::Events::Connection",
          Properties: {
            AuthorizationType: "API_KEY",
            AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-api-key", ApiKeyValue: "v" } },
          },
        },
        Hook: {
          Type: "AWS::Events::ApiDestination",
          Properties: {
            ConnectionArn: { "Fn::GetAtt": ["Key", "Arn"] },
            InvocationEndpoint: "https://example.com/hook",
            HttpMethod: "POST",
          },
        },
        Reporter: {
          Type: "AWS::Serverless::Function",
          Properties: {
            Runtime: "nodejs20.x",
            Handler: "index.handler",
            InlineCode: `exports.handler = async (event) => { await (await fetch(process.env.COLLECTOR, { method: "POST", body: JSON.stringify({ event }) })).text(); };`,
            Environment: { Variables: { COLLECTOR: collector.url } },
            Events: {
              FromStack: {
                Type: "EventBridgeRule",
                Properties: {
                  EventBusName: { Ref: "Bus" },
                  Pattern: { source: ["from-stack"] },
                  InputPath: "$.detail",
                },
              },
            },
          },
        },
      },
      Outputs: {
        RuleArn: { Value: { "Fn::GetAtt": ["ReporterFromStack", "Arn"] } },
        Archive: { Value: { Ref: "Kept" } },
        Hook: { Value: { "Fn::GetAtt": ["Hook", "Arn"] } },
      },
    };
    await cloudformation.send(
      new CreateStackCommand({ StackName: "wired", TemplateBody: JSON.stringify(template) }),
    );
    await until(async () => (await statusOf("wired"))?.endsWith("_COMPLETE") === true, "the stack to settle");
    expect(await statusOf("wired")).toBe("CREATE_COMPLETE");

    const rules = (await events.send(new ListRulesCommand({ EventBusName: "stack-bus" }))).Rules!;
    expect(rules).toHaveLength(1);
    const rule = rules[0]!;
    expect(rule.Name).toMatch(/^wired-ReporterFromStack-[0-9A-F]{12}$/);
    expect(JSON.parse(rule.EventPattern!)).toEqual({ source: ["from-stack"] });
    const targets = (
      await events.send(new ListTargetsByRuleCommand({ Rule: rule.Name, EventBusName: "stack-bus" }))
    ).Targets!;
    expect(targets).toEqual([
      {
        Id: "ReporterFromStackLambdaTarget",
        Arn: expect.stringMatching(
          new RegExp(`^arn:aws:lambda:${jeff.region}:${jeff.accountId}:function:wired-Reporter-`),
        ),
        InputPath: "$.detail",
      },
    ]);
    const outputs = (await cloudformation.send(new DescribeStacksCommand({ StackName: "wired" }))).Stacks![0]!
      .Outputs!;
    const output = (key: string) => outputs.find((entry) => entry.OutputKey === key)?.OutputValue;
    expect(output("RuleArn")).toBe(rule.Arn);
    const archive = await events.send(new DescribeArchiveCommand({ ArchiveName: output("Archive") }));
    expect(archive).toMatchObject({
      EventSourceArn: `arn:aws:events:${jeff.region}:${jeff.accountId}:event-bus/stack-bus`,
      RetentionDays: 3,
    });
    const hooks = (await events.send(new ListApiDestinationsCommand({}))).ApiDestinations!;
    expect(hooks.map((hook) => [hook.ApiDestinationArn, hook.ApiDestinationState])).toEqual([
      [output("Hook"), "ACTIVE"],
    ]);

    await events.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: "stack-bus", Source: "from-stack", DetailType: "d", Detail: '{"n":1}' }],
      }),
    );
    await until(() => collector.reports.length > 0, "the stack's function to receive the event");
    expect(collector.reports[0]!.event).toEqual({ n: 1 });
    expect(
      (await events.send(new DescribeArchiveCommand({ ArchiveName: output("Archive") }))).EventCount,
    ).toBe(1);

    await cloudformation.send(new DeleteStackCommand({ StackName: "wired" }));
    await until(async () => {
      const status = await statusOf("wired").catch(() => "gone");
      return status === "DELETE_COMPLETE" || status === "gone";
    }, "the stack to be deleted");
    const bus = await failure(events.send(new DescribeEventBusCommand({ Name: "stack-bus" })));
    expect(bus.name).toBe("ResourceNotFoundException");
    expect((await events.send(new ListApiDestinationsCommand({}))).ApiDestinations).toEqual([]);
    expect((await events.send(new ListConnectionsCommand({}))).Connections).toEqual([]);
    expect((await events.send(new ListArchivesCommand({}))).Archives).toEqual([]);
  });
});
