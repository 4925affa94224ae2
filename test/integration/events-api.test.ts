// EventBridge's API through the real SDK and CLI: buses, rules, targets, tags, TestEventPattern and
// PutEvents, as AWS answers them (codes and messages from AWS's recorded answers).
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRuleNamesByTargetCommand,
  ListRulesCommand,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutPermissionCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemovePermissionCommand,
  RemoveTargetsCommand,
  TagResourceCommand,
  TestEventPatternCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aws, type JeffProcess, startJeff } from "./jeff-process.js";
import { failure } from "./lambda-helpers.js";

let jeff: JeffProcess;
let events: EventBridgeClient;
beforeAll(async () => {
  jeff = await startJeff();
  events = new EventBridgeClient({
    endpoint: jeff.url,
    region: jeff.region,
    credentials: jeff.credentials,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  await jeff?.stop();
});

const functionArn = (name: string) => `arn:aws:lambda:${jeff.region}:${jeff.accountId}:function:${name}`;

describe("event buses", () => {
  it("creates, describes, lists, refuses twice, and deletes a custom bus; the default bus stays", async () => {
    const created = await events.send(new CreateEventBusCommand({ Name: "orders", Description: "test bus" }));
    expect(created.EventBusArn).toBe(`arn:aws:events:${jeff.region}:${jeff.accountId}:event-bus/orders`);
    expect(created.Description).toBe("test bus");
    const described = await events.send(new DescribeEventBusCommand({ Name: "orders" }));
    expect(described).toMatchObject({ Name: "orders", Arn: created.EventBusArn, Description: "test bus" });
    expect(described.CreationTime).toBeInstanceOf(Date);

    const again = await failure(events.send(new CreateEventBusCommand({ Name: "orders" })));
    expect([again.name, again.message]).toEqual([
      "ResourceAlreadyExistsException",
      "Event bus orders already exists.",
    ]);

    const listed = await events.send(new ListEventBusesCommand({}));
    expect(listed.EventBuses!.map((bus) => bus.Name)).toEqual(["default", "orders"]);
    const prefixed = await events.send(new ListEventBusesCommand({ NamePrefix: "ord" }));
    expect(prefixed.EventBuses!.map((bus) => bus.Name)).toEqual(["orders"]);

    const defaultBus = await failure(events.send(new DeleteEventBusCommand({ Name: "default" })));
    expect([defaultBus.name, defaultBus.message]).toEqual([
      "ValidationException",
      "Cannot delete event bus default.",
    ]);
    await events.send(new DeleteEventBusCommand({ Name: "orders" }));
    // Deleting a bus that is not there succeeds, as on AWS.
    await events.send(new DeleteEventBusCommand({ Name: "orders" }));
    const missing = await failure(events.send(new DescribeEventBusCommand({ Name: "orders" })));
    expect([missing.name, missing.message]).toEqual([
      "ResourceNotFoundException",
      "Event bus orders does not exist.",
    ]);
  });

  it("pages through buses with Limit and NextToken", async () => {
    for (const i of [0, 1, 2, 3, 4]) await events.send(new CreateEventBusCommand({ Name: `paged-${i}` }));
    const first = await events.send(new ListEventBusesCommand({ NamePrefix: "paged-", Limit: 3 }));
    expect(first.EventBuses!.map((bus) => bus.Name)).toEqual(["paged-0", "paged-1", "paged-2"]);
    const second = await events.send(
      new ListEventBusesCommand({ NamePrefix: "paged-", Limit: 3, NextToken: first.NextToken }),
    );
    expect(second.EventBuses!.map((bus) => bus.Name)).toEqual(["paged-3", "paged-4"]);
    expect(second.NextToken).toBeUndefined();
  });

  it("keeps a bus policy of PutPermission's statements, and removes them", async () => {
    await events.send(new CreateEventBusCommand({ Name: "shared" }));
    await events.send(
      new PutPermissionCommand({
        EventBusName: "shared",
        Action: "events:PutEvents",
        Principal: "111122223333",
        StatementId: "one",
      }),
    );
    await events.send(
      new PutPermissionCommand({
        EventBusName: "shared",
        Action: "events:PutEvents",
        Principal: "*",
        StatementId: "all",
      }),
    );
    const policy = JSON.parse((await events.send(new DescribeEventBusCommand({ Name: "shared" }))).Policy!);
    expect(policy.Statement).toEqual([
      {
        Sid: "one",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::111122223333:root" },
        Action: "events:PutEvents",
        Resource: `arn:aws:events:${jeff.region}:${jeff.accountId}:event-bus/shared`,
      },
      expect.objectContaining({ Sid: "all", Principal: "*" }),
    ]);
    const unknown = await failure(
      events.send(new RemovePermissionCommand({ EventBusName: "shared", StatementId: "nope" })),
    );
    expect([unknown.name, unknown.message]).toEqual([
      "ResourceNotFoundException",
      "Statement with the provided id does not exist.",
    ]);
    await events.send(new RemovePermissionCommand({ EventBusName: "shared", StatementId: "one" }));
    await events.send(new RemovePermissionCommand({ EventBusName: "shared", RemoveAllPermissions: true }));
    expect((await events.send(new DescribeEventBusCommand({ Name: "shared" }))).Policy).toBeUndefined();
  });
});

describe("rules and targets", () => {
  const pattern = JSON.stringify({
    source: ["core.update-account-command"],
    "detail-type": ["core.update-account-command"],
  });

  it("puts, describes, lists, disables, enables and deletes a rule on a custom bus", async () => {
    await events.send(new CreateEventBusCommand({ Name: "rules-bus" }));
    const put = await events.send(
      new PutRuleCommand({
        Name: "watch",
        EventBusName: "rules-bus",
        EventPattern: pattern,
        Description: "d",
      }),
    );
    expect(put.RuleArn).toBe(`arn:aws:events:${jeff.region}:${jeff.accountId}:rule/rules-bus/watch`);
    const described = await events.send(
      new DescribeRuleCommand({ Name: "watch", EventBusName: "rules-bus" }),
    );
    expect(described).toMatchObject({
      Name: "watch",
      Arn: put.RuleArn,
      EventPattern: pattern,
      State: "ENABLED",
      Description: "d",
      EventBusName: "rules-bus",
      CreatedBy: jeff.accountId,
    });
    await events.send(new DisableRuleCommand({ Name: "watch", EventBusName: "rules-bus" }));
    expect(
      (await events.send(new DescribeRuleCommand({ Name: "watch", EventBusName: "rules-bus" }))).State,
    ).toBe("DISABLED");
    await events.send(new EnableRuleCommand({ Name: "watch", EventBusName: "rules-bus" }));
    const listed = await events.send(new ListRulesCommand({ EventBusName: "rules-bus", NamePrefix: "wat" }));
    expect(listed.Rules!.map((rule) => [rule.Name, rule.State])).toEqual([["watch", "ENABLED"]]);
    await events.send(new DeleteRuleCommand({ Name: "watch", EventBusName: "rules-bus" }));
    expect((await events.send(new ListRulesCommand({ EventBusName: "rules-bus" }))).Rules).toEqual([]);
    const gone = await failure(
      events.send(new EnableRuleCommand({ Name: "watch", EventBusName: "rules-bus" })),
    );
    expect([gone.name, gone.message]).toEqual([
      "ResourceNotFoundException",
      "Rule watch does not exist on EventBus rules-bus.",
    ]);
  });

  it("refuses a rule without a pattern or schedule, a schedule off the default bus, and a bad pattern", async () => {
    const neither = await failure(events.send(new PutRuleCommand({ Name: "empty" })));
    expect([neither.name, neither.message]).toEqual([
      "ValidationException",
      "Parameter(s) EventPattern or ScheduleExpression must be specified.",
    ]);
    await events.send(new CreateEventBusCommand({ Name: "sched-bus" }));
    const offDefault = await failure(
      events.send(
        new PutRuleCommand({ Name: "tick", EventBusName: "sched-bus", ScheduleExpression: "rate(1 minute)" }),
      ),
    );
    expect(offDefault.message).toBe("ScheduleExpression is supported only on the default event bus.");
    const badSchedule = await failure(
      events.send(new PutRuleCommand({ Name: "tick", ScheduleExpression: "rate(10 seconds)" })),
    );
    expect(badSchedule.message).toBe("Parameter ScheduleExpression is not valid.");
    const badPattern = await failure(
      events.send(new PutRuleCommand({ Name: "bad", EventPattern: '{"int": 1}' })),
    );
    expect([badPattern.name, badPattern.message]).toEqual([
      "InvalidEventPatternException",
      // With the position AWS's reader had reached, past the number (as recorded: int_nolist_EXC).
      'Event pattern is not valid. Reason: "int" must be an object or an array\n at [Source: (String)"{"int": 1}"; line: 1, column: 10]',
    ]);
    // Nothing was kept of any of them.
    const names = (await events.send(new ListRulesCommand({}))).Rules!.map((rule) => rule.Name);
    expect(names).not.toContain("bad");
    expect(names).not.toContain("tick");
    await events.send(new PutRuleCommand({ Name: "tick", ScheduleExpression: "cron(0 12 * * ? *)" }));
    expect((await events.send(new DescribeRuleCommand({ Name: "tick" }))).ScheduleExpression).toBe(
      "cron(0 12 * * ? *)",
    );
  });

  it("puts, lists, limits and removes targets; a rule with targets is not deleted", async () => {
    await events.send(new PutRuleCommand({ Name: "fanout", EventPattern: pattern }));
    const put = await events.send(
      new PutTargetsCommand({
        Rule: "fanout",
        Targets: [
          { Id: "a", Arn: functionArn("one"), Input: '{"x":1}' },
          { Id: "b", Arn: functionArn("two") },
          { Id: "bad", Arn: "not-an-arn" },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(1);
    expect(put.FailedEntries).toEqual([
      {
        TargetId: "bad",
        ErrorCode: "ValidationException",
        ErrorMessage: "Parameter not-an-arn is not valid. Reason: Provided Arn is not in correct format.",
      },
    ]);
    const listed = await events.send(new ListTargetsByRuleCommand({ Rule: "fanout" }));
    expect(listed.Targets).toEqual([
      { Id: "a", Arn: functionArn("one"), Input: '{"x":1}' },
      { Id: "b", Arn: functionArn("two") },
    ]);
    const byTarget = await events.send(new ListRuleNamesByTargetCommand({ TargetArn: functionArn("two") }));
    expect(byTarget.RuleNames).toEqual(["fanout"]);

    const badId = await failure(
      events.send(
        new PutTargetsCommand({ Rule: "fanout", Targets: [{ Id: "!@#$@!#$", Arn: functionArn("x") }] }),
      ),
    );
    expect(badId.message).toBe(
      "1 validation error detected: Value '!@#$@!#$' at 'targets.1.member.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
    );
    const tooMany = await failure(
      events.send(
        new PutTargetsCommand({
          Rule: "fanout",
          Targets: ["c", "d", "e", "f"].map((id) => ({ Id: id, Arn: functionArn(id) })),
        }),
      ),
    );
    expect([tooMany.name, tooMany.message]).toEqual([
      "LimitExceededException",
      "The requested resource exceeds the maximum number allowed.",
    ]);
    // Refused whole: none of the four was added.
    expect((await events.send(new ListTargetsByRuleCommand({ Rule: "fanout" }))).Targets).toHaveLength(2);

    const withTargets = await failure(events.send(new DeleteRuleCommand({ Name: "fanout" })));
    expect([withTargets.name, withTargets.message]).toEqual([
      "ValidationException",
      "Rule can't be deleted since it has targets.",
    ]);
    const removed = await events.send(new RemoveTargetsCommand({ Rule: "fanout", Ids: ["a", "b", "zz"] }));
    expect(removed.FailedEntries).toEqual([
      {
        TargetId: "zz",
        ErrorCode: "ResourceNotFoundException",
        ErrorMessage: "Rule 'fanout' does not have a target with the Id 'zz'.",
      },
    ]);
    await events.send(new DeleteRuleCommand({ Name: "fanout" }));
  });

  it("tags buses and rules, and refuses a resource that does not exist", async () => {
    const bus = await events.send(
      new CreateEventBusCommand({ Name: "tagged", Tags: [{ Key: "team", Value: "infra" }] }),
    );
    await events.send(
      new TagResourceCommand({ ResourceARN: bus.EventBusArn, Tags: [{ Key: "env", Value: "prod" }] }),
    );
    expect(
      (await events.send(new ListTagsForResourceCommand({ ResourceARN: bus.EventBusArn }))).Tags,
    ).toEqual([
      { Key: "env", Value: "prod" },
      { Key: "team", Value: "infra" },
    ]);
    await events.send(new UntagResourceCommand({ ResourceARN: bus.EventBusArn, TagKeys: ["team"] }));
    expect(
      (await events.send(new ListTagsForResourceCommand({ ResourceARN: bus.EventBusArn }))).Tags,
    ).toEqual([{ Key: "env", Value: "prod" }]);
    const missingRule = await failure(
      events.send(
        new ListTagsForResourceCommand({
          ResourceARN: `arn:aws:events:${jeff.region}:${jeff.accountId}:rule/nope`,
        }),
      ),
    );
    expect([missingRule.name, missingRule.message]).toEqual([
      "ResourceNotFoundException",
      "Rule nope does not exist on EventBus default.",
    ]);
  });
});

describe("TestEventPattern and PutEvents", () => {
  const event = (source: string) =>
    JSON.stringify({
      id: "1",
      account: "1",
      source,
      time: "2024-01-01T00:00:00Z",
      region: "us-east-1",
      "detail-type": "d",
    });

  it("answers TestEventPattern with the matcher delivery uses, and refuses bad input in AWS's words", async () => {
    const pattern = JSON.stringify({ source: [{ prefix: "core." }] });
    expect(
      (await events.send(new TestEventPatternCommand({ EventPattern: pattern, Event: event("core.x") })))
        .Result,
    ).toBe(true);
    expect(
      (await events.send(new TestEventPatternCommand({ EventPattern: pattern, Event: event("other") })))
        .Result,
    ).toBe(false);
    const notAnEvent = await failure(
      events.send(new TestEventPatternCommand({ EventPattern: pattern, Event: '"plain"' })),
    );
    expect([notAnEvent.name, notAnEvent.message]).toEqual([
      "ValidationException",
      "Parameter Event is not valid.",
    ]);
  });

  it("fails a bad entry alone, and refuses a request over the size limit whole", async () => {
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: "s", DetailType: "d", Detail: '{"ok":true}' },
          { Source: "s", Detail: "{}" },
          { Source: "s", DetailType: "d", Detail: "not json" },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(2);
    expect(put.Entries![0]!.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(put.Entries!.slice(1)).toEqual([
      {
        ErrorCode: "InvalidArgument",
        ErrorMessage: "Parameter DetailType is not valid. Reason: DetailType is a required argument.",
      },
      { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." },
    ]);
    const big = await failure(
      events.send(
        new PutEventsCommand({
          Entries: [{ Source: "s", DetailType: "d", Detail: JSON.stringify({ a: "x".repeat(262_144) }) }],
        }),
      ),
    );
    expect([big.name, big.message]).toEqual([
      "ValidationException",
      "Total size of the entries in the request is over the limit.",
    ]);
  });

  it("round-trips through Debian's AWS CLI", async () => {
    const env = jeff.awsEnv();
    const rule = await aws(
      [
        "events",
        "put-rule",
        "--name",
        "cli-rule",
        "--event-pattern",
        '{"source":["cli"]}',
        "--output",
        "json",
      ],
      env,
    );
    expect(rule.code, rule.stderr).toBe(0);
    expect(JSON.parse(rule.stdout).RuleArn).toContain(":rule/cli-rule");
    const targets = await aws(
      [
        "events",
        "put-targets",
        "--rule",
        "cli-rule",
        "--targets",
        `Id=t1,Arn=${functionArn("cli-fn")}`,
        "--output",
        "json",
      ],
      env,
    );
    expect(JSON.parse(targets.stdout).FailedEntryCount).toBe(0);
    const listed = await aws(
      ["events", "list-targets-by-rule", "--rule", "cli-rule", "--output", "json"],
      env,
    );
    expect(JSON.parse(listed.stdout).Targets).toEqual([{ Id: "t1", Arn: functionArn("cli-fn") }]);
    const rules = await aws(["events", "list-rules", "--name-prefix", "cli-", "--output", "json"], env);
    expect(JSON.parse(rules.stdout).Rules.map((r: { Name: string }) => r.Name)).toEqual(["cli-rule"]);
    const tested = await aws(
      [
        "events",
        "test-event-pattern",
        "--event-pattern",
        '{"source":["cli"]}',
        "--event",
        event("cli"),
        "--output",
        "json",
      ],
      env,
    );
    expect(JSON.parse(tested.stdout)).toEqual({ Result: true });
    const put = await aws(
      [
        "events",
        "put-events",
        "--entries",
        JSON.stringify([{ Source: "cli", DetailType: "d", Detail: "{}" }]),
        "--output",
        "json",
      ],
      env,
    );
    expect(JSON.parse(put.stdout).FailedEntryCount).toBe(0);
  });
});
