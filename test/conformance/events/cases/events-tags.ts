// test_events_tags.py: tags on buses and rules, and on what does not exist (any more).
import { type ReplayCase, replayed } from "../case.js";
import { type Replay, shortUid } from "../replay.js";
import { TEST_EVENT_PATTERN } from "../test-events-constants.js";

const file = "test_events_tags" as const;

type BusKind = "event_bus_default" | "event_bus_custom";
type Resource = "event_bus" | "rule";

/**
 * The bus (made unless default) and the ARN of the resource to tag: the bus, or a new rule on it.
 * Tags put on the default bus outlive the case, as on AWS; the case takes them off afterwards so
 * that the next case starts from the same default bus.
 */
async function resourceToTag(
  r: Replay,
  busKind: BusKind,
  resource: Resource,
): Promise<{ bus: string; arn: string; rule?: string }> {
  let bus = "default";
  let busArn = r.busArn("default");
  if (busKind === "event_bus_custom") {
    bus = `test_bus-${shortUid()}`;
    busArn = (await r.createEventBus({ Name: bus })).EventBusArn as string;
  } else if (resource === "event_bus") {
    r.afterwards(() => r.call("untag_resource", { ResourceARN: busArn, TagKeys: ["tag1", "tag2"] }));
  }
  if (resource === "event_bus") return { bus, arn: busArn };
  const rule = `test_rule-${shortUid()}`;
  const put = await r.putRule({
    Name: rule,
    EventBusName: bus,
    EventPattern: JSON.stringify(TEST_EVENT_PATTERN),
  });
  return { bus, arn: put.RuleArn as string, rule };
}

async function tagUntag(r: Replay, arn: string, notExistingTag: boolean): Promise<void> {
  r.match(
    "tag_resource",
    await r.send("tag_resource", {
      ResourceARN: arn,
      Tags: [
        { Key: "tag1", Value: "value1" },
        { Key: "tag2", Value: "value2" },
      ],
    }),
  );
  r.match("list_tags_for_resource", await r.send("list_tags_for_resource", { ResourceARN: arn }));
  r.match("untag_resource", await r.send("untag_resource", { ResourceARN: arn, TagKeys: ["tag2"] }));
  r.match("list_tags_for_untagged_resource", await r.send("list_tags_for_resource", { ResourceARN: arn }));
  if (!notExistingTag) return;
  r.match(
    "untag_resource_not_existing_tag",
    await r.send("untag_resource", { ResourceARN: arn, TagKeys: [`not_existing_tag-${shortUid()}`] }),
  );
}

const combinations = (["event_bus", "rule"] as const).flatMap((resource) =>
  (["event_bus_default", "event_bus_custom"] as const).map((busKind) => [resource, busKind] as const),
);

export const cases: ReplayCase[] = [
  // Recorded before the test took the bus as a parameter: a bus of its own.
  replayed(file, "tests_tag_untag_resource[event_bus]", async (r) => {
    const { arn } = await resourceToTag(r, "event_bus_custom", "event_bus");
    await tagUntag(r, arn, false);
  }),
  ...combinations.map(([resource, busKind]) =>
    replayed(file, `tests_tag_untag_resource[${resource}-${busKind}]`, async (r) => {
      const { arn } = await resourceToTag(r, busKind, resource);
      await tagUntag(r, arn, true);
    }),
  ),
  ...(["not_existing_rule", "not_existing_event_bus"] as const).map((kind) =>
    replayed(file, `tests_tag_list_untag_not_existing_resource[${kind}]`, async (r) => {
      const name = shortUid();
      const arn = kind === "not_existing_rule" ? r.ruleArn(name) : r.busArn(name);
      r.match(
        "tag_not_existing_resource_error",
        await r.refuse("tag_resource", { ResourceARN: arn, Tags: [{ Key: "tag1", Value: "value1" }] }),
      );
      r.regex(name, "<not-existing-resource-name>");
      r.match(
        "list_tags_for_not_existing_resource_error",
        await r.refuse("list_tags_for_resource", { ResourceARN: arn }),
      );
      r.match(
        "untag_not_existing_resource_error",
        await r.refuse("untag_resource", { ResourceARN: arn, TagKeys: ["tag1"] }),
      );
    }),
  ),
  ...combinations.map(([resource, busKind]) =>
    replayed(file, `test_recreate_tagged_resource_without_tags[${resource}-${busKind}]`, async (r) => {
      const { bus, arn, rule } = await resourceToTag(r, busKind, resource);
      await r.send("tag_resource", { ResourceARN: arn, Tags: [{ Key: "tag1", Value: "value1" }] });
      if (resource === "event_bus" && busKind === "event_bus_custom") {
        await r.send("delete_event_bus", { Name: bus });
        await r.createEventBus({ Name: bus });
      }
      if (rule !== undefined) {
        await r.send("delete_rule", { Name: rule, EventBusName: bus });
        await r.putRule({ Name: rule, EventBusName: bus, EventPattern: JSON.stringify(TEST_EVENT_PATTERN) });
      }
      r.match("list_tags_for_resource", await r.send("list_tags_for_resource", { ResourceARN: arn }));
    }),
  ),
  replayed(file, "TestRuleTags::test_put_rule_with_tags", async (r) => {
    await r.createEventBus({ Name: `test_bus-${shortUid()}` });
    const rule = `test_rule-${shortUid()}`;
    const put = await r.putRule({
      Name: rule,
      EventPattern: JSON.stringify(TEST_EVENT_PATTERN),
      Tags: [
        { Key: "tag1", Value: "value1" },
        { Key: "tag2", Value: "value2" },
      ],
    });
    r.match("put_rule_with_tags", put);
    r.regex(rule, "<rule_name>");
    r.match("list_tags_for_rule", await r.send("list_tags_for_resource", { ResourceARN: put.RuleArn }));
  }),
  replayed(file, "TestRuleTags::test_list_tags_for_deleted_rule", async (r) => {
    const bus = `test_bus-${shortUid()}`;
    await r.createEventBus({ Name: bus });
    const rule = `test_rule-${shortUid()}`;
    const put = await r.putRule({
      Name: rule,
      EventBusName: bus,
      EventPattern: JSON.stringify(TEST_EVENT_PATTERN),
    });
    await r.send("delete_rule", { Name: rule, EventBusName: bus });
    const error = await r.refuse("list_tags_for_resource", { ResourceARN: put.RuleArn });
    r.regex(rule, "<rule_name>");
    r.regex(bus, "<bus_name>");
    r.match("list_tags_for_deleted_rule_error", error);
  }),
  replayed(file, "TestEventBusTags::test_create_event_bus_with_tags", async (r) => {
    const bus = `test_bus-${shortUid()}`;
    const created = await r.createEventBus({
      Name: bus,
      Tags: [
        { Key: "tag1", Value: "value1" },
        { Key: "tag2", Value: "value2" },
      ],
    });
    r.match("create_event_bus_with_tags", created);
    r.regex(bus, "<bus_name>");
    r.match(
      "list_tags_for_event_bus",
      await r.send("list_tags_for_resource", { ResourceARN: created.EventBusArn }),
    );
  }),
  replayed(file, "TestEventBusTags::test_list_tags_for_deleted_event_bus", async (r) => {
    const bus = `test_bus-${shortUid()}`;
    const created = await r.createEventBus({ Name: bus });
    await r.send("delete_event_bus", { Name: bus });
    const error = await r.refuse("list_tags_for_resource", { ResourceARN: created.EventBusArn });
    r.regex(bus, "<bus_name>");
    r.match("list_tags_for_deleted_rule_error", error);
  }),
];
