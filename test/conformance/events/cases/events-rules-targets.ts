// test_events.py, TestEventRule and TestEventTarget: rules, their targets, and which rules
// deliver an event to a function.
import { type ReplayCase, replayed } from "../case.js";
import { type Replay, shortUid } from "../replay.js";
import {
  TEST_EVENT_DETAIL,
  TEST_EVENT_PATTERN,
  TEST_EVENT_PATTERN_NO_DETAIL,
} from "../test-events-constants.js";

const file = "test_events" as const;

/** What `sqs_create_queue()` + `sqs_get_queue_arn()` give: a queue's ARN, here only a target's name. */
const queueArn = (r: Replay, name = `queue-${shortUid()}`) =>
  `arn:aws:sqs:${r.region}:${r.accountId}:${name}`;

async function busFor(r: Replay, kind: "custom" | "default"): Promise<string> {
  if (kind === "default") return "default";
  const name = `bus-${shortUid()}`;
  await r.createEventBus({ Name: name });
  return name;
}

const kinds = ["custom", "default"] as const;

/** `count` rules `<prefix>0…`, each matching its own source and targeting `queue`; the prefix. */
async function rulesTargeting(r: Replay, bus: string, queue: string, count: number): Promise<string> {
  const prefix = `rule-${shortUid()}-`;
  for (let i = 0; i < count; i++) {
    await r.putRule({
      Name: `${prefix}${i}`,
      EventBusName: bus,
      EventPattern: JSON.stringify({ source: [`source-${i}`] }),
    });
    await r.send("put_targets", {
      Rule: `${prefix}${i}`,
      EventBusName: bus,
      Targets: [{ Id: `target-${i}`, Arn: queue }],
    });
  }
  return prefix;
}

export const cases: ReplayCase[] = [
  ...kinds.map((kind) =>
    replayed(file, `TestEventRule::test_put_list_with_prefix_describe_delete_rule[${kind}]`, async (r) => {
      const bus = await busFor(r, kind);
      const rule = `test-rule-${shortUid()}`;
      r.match(
        "put-rule",
        await r.putRule({ Name: rule, EventPattern: JSON.stringify(TEST_EVENT_PATTERN), EventBusName: bus }),
      );
      r.match("list-rules", await r.send("list_rules", { NamePrefix: rule, EventBusName: bus }));
      r.match("describe-rule", await r.send("describe_rule", { Name: rule, EventBusName: bus }));
      r.match("delete-rule", await r.send("delete_rule", { Name: rule, EventBusName: bus }));
      r.match("list-rules-after-delete", await r.send("list_rules", { NamePrefix: rule, EventBusName: bus }));
    }),
  ),
  replayed(file, "TestEventRule::test_put_multiple_rules_with_same_name", async (r) => {
    const bus = await busFor(r, "custom");
    const rule = `test-rule-${shortUid()}`;
    const input = { Name: rule, EventBusName: bus, EventPattern: JSON.stringify(TEST_EVENT_PATTERN) };
    r.match("put-rule", await r.putRule(input));
    r.match("re-put-rule", await r.putRule(input));
    r.match("list-rules", await r.send("list_rules", { EventBusName: bus }));
  }),
  ...kinds.map((kind) =>
    replayed(file, `TestEventRule::test_disable_re_enable_rule[${kind}]`, async (r) => {
      const bus = await busFor(r, kind);
      const rule = `test-rule-${shortUid()}`;
      await r.putRule({ Name: rule, EventPattern: JSON.stringify(TEST_EVENT_PATTERN), EventBusName: bus });
      r.match("disable-rule", await r.send("disable_rule", { Name: rule, EventBusName: bus }));
      r.match("describe-rule-disabled", await r.send("describe_rule", { Name: rule, EventBusName: bus }));
      r.match("enable-rule", await r.send("enable_rule", { Name: rule, EventBusName: bus }));
      r.match("describe-rule-enabled", await r.send("describe_rule", { Name: rule, EventBusName: bus }));
    }),
  ),
  replayed(file, "TestEventRule::test_delete_rule_with_targets", async (r) => {
    const rule = `test-rule-${shortUid()}`;
    await r.putRule({ Name: rule, EventPattern: JSON.stringify(TEST_EVENT_PATTERN) });
    await r.send("put_targets", {
      Rule: rule,
      Targets: [{ Id: `test-target-${shortUid()}`, Arn: queueArn(r) }],
    });
    r.match("delete-rule-with-targets-error", await r.refuse("delete_rule", { Name: rule }));
  }),
  replayed(file, "TestEventRule::test_process_to_multiple_matching_rules_single_target", async (r) => {
    const bus = await busFor(r, "custom");
    const window = await r.window();
    for (let i = 0; i < 2; i++) {
      const rule = `test-rule-${i}-${shortUid()}`;
      await r.putRule({
        Name: rule,
        EventBusName: bus,
        EventPattern: JSON.stringify(TEST_EVENT_PATTERN_NO_DETAIL),
        State: "ENABLED",
      });
      await r.send("put_targets", {
        Rule: rule,
        EventBusName: bus,
        Targets: [{ Id: `test-target-${i}-${shortUid()}`, Arn: window.arn }],
      });
    }
    await r.send("put_events", {
      Entries: [
        {
          EventBusName: bus,
          Source: TEST_EVENT_PATTERN_NO_DETAIL.source[0],
          DetailType: TEST_EVENT_PATTERN_NO_DETAIL["detail-type"][0],
          Detail: JSON.stringify(TEST_EVENT_DETAIL),
        },
      ],
    });
    r.match("events", await window.events(2));
  }),
  replayed(file, "TestEventRule::test_process_pattern_to_single_matching_rules_single_target", async (r) => {
    const bus = await busFor(r, "custom");
    const window = await r.window();
    const patterns = [
      { detail: { payload: { id: [{ exists: true }] } } },
      { detail: { id: [{ exists: true }] } },
    ];
    const templates = ['{"detail-payload-with-id": <detail>}', '{"detail-with-id": <detail>}'];
    for (let i = 0; i < 2; i++) {
      const rule = `test-rule-${i}-${shortUid()}`;
      await r.putRule({
        Name: rule,
        EventBusName: bus,
        EventPattern: JSON.stringify(patterns[i]),
        State: "ENABLED",
      });
      await r.send("put_targets", {
        Rule: rule,
        EventBusName: bus,
        Targets: [
          {
            Id: `test-target-${i}-${shortUid()}`,
            Arn: window.arn,
            InputTransformer: { InputPathsMap: { detail: "$.detail" }, InputTemplate: templates[i] },
          },
        ],
      });
    }
    const details = [{ payload: { id: "123" } }, { id: "123" }];
    for (let i = 0; i < 2; i++) {
      await r.send("put_events", {
        Entries: [
          {
            EventBusName: bus,
            Source: TEST_EVENT_PATTERN_NO_DETAIL.source[0],
            DetailType: TEST_EVENT_PATTERN_NO_DETAIL["detail-type"][0],
            Detail: JSON.stringify(details[i]),
          },
        ],
      });
      r.match(`events-${i + 1}`, await window.events(i + 1));
    }
  }),
  ...kinds.map((kind) =>
    replayed(file, `TestEventRule::test_list_rule_names_by_target[${kind}]`, async (r) => {
      const queue = queueArn(r);
      const bus = await busFor(r, kind);
      const prefix = await rulesTargeting(r, bus, queue, 3);
      await r.putRule({
        Name: `${prefix}other`,
        EventBusName: bus,
        EventPattern: JSON.stringify({ source: ["other-source"] }),
      });
      r.match(
        "list_rule_names_by_target",
        await r.send("list_rule_names_by_target", { TargetArn: queue, EventBusName: bus }),
      );
    }),
  ),
  ...kinds.map((kind) =>
    replayed(file, `TestEventRule::test_list_rule_names_by_target_with_limit[${kind}]`, async (r) => {
      const queue = queueArn(r);
      const bus = await busFor(r, kind);
      await rulesTargeting(r, bus, queue, 5);
      let nextToken: unknown;
      for (const label of ["first_page", "second_page", "third_page"]) {
        const page = await r.send("list_rule_names_by_target", {
          TargetArn: queue,
          EventBusName: bus,
          Limit: 2,
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        });
        nextToken = page.NextToken;
        r.match(label, page);
      }
    }),
  ),
  ...kinds.map((kind) =>
    replayed(file, `TestEventRule::test_list_rule_names_by_target_no_matches[${kind}]`, async (r) => {
      const search = queueArn(r);
      const target = queueArn(r);
      const bus = await busFor(r, kind);
      const rule = `rule-${shortUid()}`;
      await r.putRule({
        Name: rule,
        EventBusName: bus,
        EventPattern: JSON.stringify({ source: ["test-source"] }),
      });
      await r.send("put_targets", {
        Rule: rule,
        EventBusName: bus,
        Targets: [{ Id: "target-1", Arn: target }],
      });
      r.match(
        "list_rule_names_by_target_no_matches",
        await r.send("list_rule_names_by_target", { TargetArn: search, EventBusName: bus }),
      );
    }),
  ),
  replayed(file, "TestEventTarget::test_add_exceed_fife_targets_per_rule", async (r) => {
    const rule = `test-rule-${shortUid()}`;
    await r.putRule({ Name: rule, EventPattern: JSON.stringify(TEST_EVENT_PATTERN) });
    const queue = queueArn(r);
    const targets = Array.from({ length: 7 }, (_, i) => ({ Id: `test-target-${i}`, Arn: queue }));
    r.match("put-targets-client-error", await r.refuse("put_targets", { Rule: rule, Targets: targets }));
  }),
  replayed(file, "TestEventTarget::test_list_target_by_rule_limit", async (r) => {
    const rule = `test-rule-${shortUid()}`;
    await r.putRule({ Name: rule, EventPattern: JSON.stringify(TEST_EVENT_PATTERN) });
    const queue = queueArn(r);
    r.regex("test-target-", "<target-id>");
    await r.send("put_targets", {
      Rule: rule,
      Targets: Array.from({ length: 5 }, (_, i) => ({ Id: `test-target-${i}`, Arn: queue })),
    });
    const first = await r.send("list_targets_by_rule", { Rule: rule, Limit: 3 });
    r.match("list-targets-limit", first);
    r.match(
      "list-targets-limit-next-token",
      await r.send("list_targets_by_rule", { Rule: rule, NextToken: first.NextToken }),
    );
  }),
  replayed(file, "TestEventTarget::test_put_target_id_validation", async (r) => {
    const rule = `rule-${shortUid()}`;
    const queue = queueArn(r);
    await r.putRule({ Name: rule, EventPattern: JSON.stringify(TEST_EVENT_PATTERN), State: "ENABLED" });
    const put = (id: string) =>
      r.call("put_targets", { Rule: rule, Targets: [{ Id: id, Arn: queue, InputPath: "$.detail" }] });
    r.match("put-targets-invalid-id-error", await r.fails(put("!@#$@!#$")));
    const long = `${randomLong()}-${randomLong()}-extra`;
    r.regex(long, "second-invalid-target-id");
    r.match("put-targets-length-error", await r.fails(put(long)));
    await r.ok(put(`test-With_valid.Characters-${shortUid()}`));
  }),
  replayed(
    file,
    "TestEventTarget::test_put_multiple_targets_with_same_id_across_different_rules",
    async (r) => {
      const one = `test-rule-one-${shortUid()}`;
      const two = `test-rule-two-${shortUid()}`;
      const queue = queueArn(r);
      await r.putRule({ Name: one, EventPattern: JSON.stringify(TEST_EVENT_PATTERN), State: "ENABLED" });
      await r.putRule({ Name: two, EventPattern: JSON.stringify(TEST_EVENT_PATTERN), State: "ENABLED" });
      const id = `test-With_valid.Characters-${shortUid()}`;
      await r.send("put_targets", { Rule: one, Targets: [{ Id: id, Arn: queue, InputPath: "$.detail" }] });
      await r.send("put_targets", {
        Rule: two,
        Targets: [{ Id: id, Arn: queue, InputPath: "$.notexisting" }],
      });
      r.regex(id, "target-id");
      r.regex(queue, "target-arn");
      r.match("list-targets-rule-one", await r.send("list_targets_by_rule", { Rule: one }));
      r.match("list-targets-rule-two", await r.send("list_targets_by_rule", { Rule: two }));
    },
  ),
];

/** LocalStack's `long_uid()`: a UUID. */
function randomLong(): string {
  return crypto.randomUUID();
}
