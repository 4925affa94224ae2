// test_events.py, TestEvents and TestEventPattern: PutEvents' answers, and what rules deliver.
import { type ReplayCase, replayed } from "../case.js";
import { shortUid } from "../replay.js";
import {
  pythonJson,
  TEST_EVENT_DETAIL,
  TEST_EVENT_PATTERN,
  TEST_EVENT_PATTERN_NO_DETAIL,
} from "../test-events-constants.js";

const file = "test_events" as const;

export const cases: ReplayCase[] = [
  replayed(file, "TestEvents::test_put_event_with_too_big_detail", async (r) => {
    const entries = [
      {
        Source: TEST_EVENT_PATTERN_NO_DETAIL.source[0],
        DetailType: TEST_EVENT_PATTERN_NO_DETAIL["detail-type"][0],
        Detail: pythonJson({ payload: ["p".repeat(256 * 1024 - 17)] }),
      },
    ];
    r.match("put-events-too-big-detail-error", await r.refuse("put_events", { Entries: entries }));
  }),
  replayed(file, "TestEvents::test_put_event_without_detail_type", async (r) => {
    const entries = [{ Source: "some.source", Detail: pythonJson(TEST_EVENT_DETAIL), DetailType: "" }];
    r.match("put-events", await r.send("put_events", { Entries: entries }));
  }),
  ...[
    ["STRING", "NotJSON"],
    ["ARRAY", "[]"],
    ["MALFORMED_JSON", "{{}"],
    ["SERIALIZED_STRING", JSON.stringify("NotJSON")],
  ].map(([id, detail]) =>
    replayed(file, `TestEvents::test_put_event_malformed_detail[${id}]`, async (r) => {
      const entries = [
        {
          Source: TEST_EVENT_PATTERN.source[0],
          DetailType: TEST_EVENT_PATTERN["detail-type"][0],
          Detail: detail,
        },
      ];
      r.match("put-events", await r.send("put_events", { Entries: entries }));
    }),
  ),
  ...(["custom", "default"] as const).map((kind) =>
    replayed(file, `TestEvents::test_put_events_exceed_limit_ten_entries[${kind}]`, async (r) => {
      const bus = kind === "custom" ? `test-bus-${shortUid()}` : "default";
      if (kind === "custom") await r.createEventBus({ Name: bus });
      const entries = Array.from({ length: 11 }, () => ({
        Source: TEST_EVENT_PATTERN.source[0],
        DetailType: TEST_EVENT_PATTERN["detail-type"][0],
        Detail: pythonJson(TEST_EVENT_DETAIL),
        EventBusName: bus,
      }));
      r.regex(bus, "<bus-name>");
      r.match("put-events-exceed-limit-error", await r.refuse("put_events", { Entries: entries }));
    }),
  ),
  replayed(file, "TestEvents::test_put_events_with_target_delivery_failure", async (r) => {
    // The queue was deleted before the rule named it: here it never existed.
    const queue = `arn:aws:sqs:${r.region}:${r.accountId}:queue-${shortUid()}`;
    const rule = `test-rule-${shortUid()}`;
    await r.putRule({ Name: rule, EventPattern: JSON.stringify(TEST_EVENT_PATTERN_NO_DETAIL) });
    await r.send("put_targets", { Rule: rule, Targets: [{ Id: "test-target", Arn: queue }] });
    const event = {
      Source: TEST_EVENT_PATTERN_NO_DETAIL.source[0],
      DetailType: TEST_EVENT_PATTERN_NO_DETAIL["detail-type"][0],
      Detail: pythonJson(TEST_EVENT_DETAIL),
    };
    r.match("put-events-response", await r.send("put_events", { Entries: [event] }));
  }),
  replayed(file, "TestEvents::test_put_events_with_time_field", async (r) => {
    r.keyValue("MD5OfBody", "m-d5-of-body");
    const rule = `test-rule-${shortUid()}`;
    const window = await r.window();
    await r.putRule({
      Name: rule,
      EventPattern: JSON.stringify({ source: ["test-source"], "detail-type": ["test-detail-type"] }),
    });
    await r.send("put_targets", { Rule: rule, Targets: [{ Id: "id1", Arn: window.arn }] });
    const event = {
      Source: "test-source",
      DetailType: "test-detail-type",
      Time: new Date(),
      Detail: pythonJson({ message: "test message" }),
    };
    r.match("put-events", await r.send("put_events", { Entries: [event] }));
    r.match("sqs-messages", await window.messages(1));
  }),
  replayed(file, "TestEventPattern::test_put_events_pattern_with_values_in_array", async (r) => {
    const entry = (detail: object) => [{ Source: "test", DetailType: "test", Detail: pythonJson(detail) }];
    const messages = await r.putEventsWithFilter({
      pattern: { detail: { event: { data: { type: ["1", "2"] } } } },
      entriesAsserts: [
        [entry({ event: { data: { type: ["3", "1"] } } }), true],
        [entry({ event: { data: { type: ["2"] } } }), true],
        [entry({ event: { data: { type: ["3"] } } }), false],
      ],
      inputPath: "$.detail",
    });
    r.match("messages", messages);
  }),
  replayed(file, "TestEventPattern::test_put_events_pattern_nested", async (r) => {
    const entry = (detail: object) => [{ Source: "test", DetailType: "test", Detail: pythonJson(detail) }];
    const messages = await r.putEventsWithFilter({
      pattern: { detail: { event: { data: { type: ["1"] } } } },
      entriesAsserts: [
        [entry({ event: { data: { type: "1" } } }), true],
        [entry({ event: { data: { type: "2" } } }), false],
        [entry({ hello: "world" }), false],
      ],
      inputPath: "$.detail",
    });
    r.match("messages", messages);
  }),
];
