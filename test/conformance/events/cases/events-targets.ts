// test_events_targets.py: what a function target and a bus target deliver. The Lambda tests read
// the function's log, the others an SQS queue; here a window function reports what it received
// (replay.ts), which is the event either way.
import { type ReplayCase, replayed } from "../case.js";
import { type Replay, shortUid } from "../replay.js";
import { pythonJson, TEST_EVENT_DETAIL, TEST_EVENT_PATTERN } from "../test-events-constants.js";

const file = "test_events_targets" as const;

const automation = {
  id: "123",
  actions: [
    {
      id: "321",
      type: "SEND_NOTIFICATION",
      settings: { message: "", recipientEmails: [], subject: "", type: "SEND_NOTIFICATION" },
    },
  ],
};

const payload = (automations: object[]) => ({
  payload: {
    userId: 10,
    businessId: 3,
    channelId: 6,
    card: { foo: "bar" },
    targetEntity: true,
    entityAuditTrailEvent: { foo: "bar" },
    automations,
  },
});

/** A bus, a rule with `pattern` and a window as its target; the event put; what the function got. */
async function toFunction(r: Replay, pattern: object, detail: object): Promise<unknown[]> {
  const window = await r.window();
  const bus = `bus-${shortUid()}`;
  await r.createEventBus({ Name: bus });
  const rule = `rule-${shortUid()}`;
  await r.putRule({ Name: rule, EventBusName: bus, EventPattern: JSON.stringify(pattern) });
  await r.send("put_targets", {
    Rule: rule,
    EventBusName: bus,
    Targets: [{ Id: `target-${shortUid()}`, Arn: window.arn }],
  });
  await r.send("put_events", {
    Entries: [
      {
        EventBusName: bus,
        Source: TEST_EVENT_PATTERN.source[0],
        DetailType: TEST_EVENT_PATTERN["detail-type"][0],
        Detail: pythonJson(detail),
      },
    ],
  });
  return window.events(1);
}

const listPattern = { detail: { payload: { automations: { id: [{ exists: true }] } } } };

/** `key_value(…, reference_replacement=False)`: every value of the key becomes the text. */
function sqsTransforms(r: Replay): void {
  r.keyValue("ReceiptHandle", "receipt-handle");
  r.keyValue("MD5OfBody", "m-d5-of-body");
}

const entry = (detail: object) => ({
  Source: TEST_EVENT_PATTERN.source[0],
  DetailType: TEST_EVENT_PATTERN["detail-type"][0],
  Detail: pythonJson(detail),
});

async function detailMatch(r: Replay): Promise<void> {
  const messages = await r.putEventsWithFilter({
    pattern: { detail: { EventType: ["0", "1"] } },
    entriesAsserts: [
      [[entry({ EventType: "1" })], true],
      [[entry({ EventType: "2" })], false],
    ],
    inputPath: "$.detail",
  });
  sqsTransforms(r);
  r.match("messages", messages);
}

export const cases: ReplayCase[] = [
  replayed(file, "TestEventsTargetLambda::test_put_events_with_target_lambda", async (r) => {
    r.match("events", await toFunction(r, TEST_EVENT_PATTERN, TEST_EVENT_DETAIL));
  }),
  // Recorded both as module functions (before the class) and in the class.
  ...[
    "test_put_events_with_target_lambda_list_entry",
    "TestEventsTargetLambda::test_put_events_with_target_lambda_list_entry",
  ].map((test) =>
    replayed(file, test, async (r) => {
      r.match("events", await toFunction(r, listPattern, payload([automation])));
    }),
  ),
  replayed(file, "test_put_events_with_target_lambda_list_entries_partial_match", async (r) => {
    r.match(
      "events",
      await toFunction(r, listPattern, payload([{ foo: "bar" }, automation, { bar: "foo" }])),
    );
  }),
  replayed(file, "test_put_events_with_target_sqs_event_detail_match", detailMatch),
  replayed(file, "TestEventsTargetSqs::test_put_events_with_target_sqs_event_detail_match", detailMatch),
  replayed(file, "TestEventsTargetSqs::test_put_events_with_target_sqs", async (r) => {
    const message = await r.putEventsWithFilter({
      pattern: TEST_EVENT_PATTERN,
      entriesAsserts: [[[entry(TEST_EVENT_DETAIL)], true]],
    });
    sqsTransforms(r);
    r.match("message", message);
  }),
  ...(
    [
      ["default", "custom"],
      ["custom", "custom"],
      ["custom", "default"],
    ] as const
  ).map(([source, target], i) =>
    replayed(
      file,
      `TestEventsTargetEvents::test_put_events_with_target_events[bus_combination${i}]`,
      async (r) => {
        let sourceBus = "default";
        if (source === "custom") {
          sourceBus = `test-event-bus-source-${shortUid()}`;
          await r.createEventBus({ Name: sourceBus });
        }
        let targetBus = "default";
        let targetArn = r.busArn("default");
        if (target === "custom") {
          targetBus = `test-event-bus-target-${shortUid()}`;
          targetArn = (await r.createEventBus({ Name: targetBus })).EventBusArn as string;
        }
        // The role the test made for the source bus to put events on the target bus.
        const role = `arn:aws:iam::${r.accountId}:role/event-bus-source-to-target-${shortUid()}`;
        const statement = `TargetEventBusAccessPermission${shortUid()}`;
        await r.send("put_permission", {
          StatementId: statement,
          EventBusName: targetBus,
          Action: "events:PutEvents",
          Principal: "*",
        });
        r.afterwards(() => r.call("remove_permission", { StatementId: statement, EventBusName: targetBus }));
        const toTarget = `test-rule-source-to-target-${shortUid()}`;
        await r.putRule({
          Name: toTarget,
          EventBusName: sourceBus,
          EventPattern: JSON.stringify(TEST_EVENT_PATTERN),
        });
        await r.send("put_targets", {
          Rule: toTarget,
          EventBusName: sourceBus,
          Targets: [{ Id: `test-target-source-events-${shortUid()}`, Arn: targetArn, RoleArn: role }],
        });
        const toWindow = `test-rule-target-${shortUid()}`;
        await r.putRule({
          Name: toWindow,
          EventBusName: targetBus,
          EventPattern: JSON.stringify(TEST_EVENT_PATTERN),
        });
        const window = await r.window();
        await r.send("put_targets", {
          Rule: toWindow,
          EventBusName: targetArn,
          Targets: [{ Id: `target-${shortUid()}`, Arn: window.arn }],
        });
        await r.send("put_events", { Entries: [{ ...entry(TEST_EVENT_DETAIL), EventBusName: sourceBus }] });
        const messages = await window.messages(1);
        sqsTransforms(r);
        r.match("messages", messages);
      },
    ),
  ),
];
