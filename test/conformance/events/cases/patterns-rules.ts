// test_events_patterns.py, TestRuleWithPattern: what a rule with a pattern delivers, read from a
// window function in place of the tests' SQS queue (replay.ts).
import { type ReplayCase, replayed } from "../case.js";
import { shortUid } from "../replay.js";
import { pythonJson } from "../test-events-constants.js";

const file = "test_events_patterns" as const;

const source = "core.update-account-command";

const entry = (detail: object, detailType = source) => [
  { Source: source, DetailType: detailType, Detail: pythonJson(detail) },
];

export const cases: ReplayCase[] = [
  replayed(file, "TestRuleWithPattern::test_put_events_with_rule_pattern_anything_but", async (r) => {
    const messages = await r.putEventsWithFilter({
      pattern: {
        source: [source],
        "detail-type": [source],
        detail: { command: [{ "anything-but": ["no-message"] }] },
      },
      entriesAsserts: [
        [entry({ command: "display-message", payload: "baz" }), true],
        [entry({ command: null, payload: "baz" }), true],
        [entry({ command: "no-message", payload: "baz" }), false],
      ],
    });
    r.match("rule-anything-but", messages);
  }),
  replayed(file, "TestRuleWithPattern::test_put_event_with_content_base_rule_in_pattern", async (r) => {
    const bus = `event-bus-${shortUid()}`;
    await r.createEventBus({ Name: bus });
    const messages = await r.putEventsWithFilter({
      eventBusName: bus,
      pattern: {
        source: [{ exists: true }],
        "detail-type": [{ prefix: "core.app" }],
        detail: {
          description: ["this-is-event-details"],
          amount: [200],
          salary: [2000, 4000],
          env: ["dev", "prod"],
          user: ["user1", "user2", "user3"],
          admins: ["skyli", { prefix: "hey" }, { prefix: "ad" }],
          test1: [{ "anything-but": 200 }],
          test2: [{ "anything-but": "test2" }],
          test3: [{ "anything-but": ["test3", "test33"] }],
          test4: [{ "anything-but": { prefix: "test4" } }],
          "num-test1": [{ numeric: ["<", 200] }],
          "num-test2": [{ numeric: ["<=", 200] }],
          "num-test3": [{ numeric: [">", 200] }],
          "num-test4": [{ numeric: [">=", 200] }],
          "num-test5": [{ numeric: [">=", 200, "<=", 500] }],
          "num-test6": [{ numeric: [">", 200, "<", 500] }],
          "num-test7": [{ numeric: [">=", 200, "<", 500] }],
        },
      },
      inputPath: "$.detail",
      entriesAsserts: [
        [
          entry(
            {
              description: "this-is-event-details",
              amount: 200,
              salary: 2000,
              env: "prod",
              user: "user3",
              admins: "admin",
              test1: 300,
              test2: "test22",
              test3: "test333",
              test4: "this test4",
              ip: "10.102.1.100",
              "num-test1": 100,
              "num-test2": 200,
              "num-test3": 300,
              "num-test4": 200,
              "num-test5": 500,
              "num-test6": 300,
              "num-test7": 300,
            },
            "core.app.backend",
          ),
          true,
        ],
      ],
    });
    r.match("messages", messages);
  }),
];
