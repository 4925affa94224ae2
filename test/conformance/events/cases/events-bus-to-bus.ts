// test_events.py, TestEventBus::test_put_events_bus_to_bus: an event routed from one bus to another
// and on to the test's SQS queue, here a window function (replay.ts). The parameter is LocalStack's
// SQS endpoint strategy, which changes nothing on AWS.
import { type ReplayCase, replayed } from "../case.js";
import { shortUid } from "../replay.js";
import { pythonJson, TEST_EVENT_DETAIL, TEST_EVENT_PATTERN } from "../test-events-constants.js";

export const cases: ReplayCase[] = (["standard", "domain", "path"] as const).map((strategy) =>
  replayed("test_events", `TestEventBus::test_put_events_bus_to_bus[${strategy}]`, async (r) => {
    const one = `bus1-${shortUid()}`;
    const two = `bus2-${shortUid()}`;
    await r.createEventBus({ Name: one });
    const twoArn = (await r.createEventBus({ Name: two })).EventBusArn as string;
    // The role the test made with events:PutEvents on every bus.
    const role = `arn:aws:iam::${r.accountId}:role/event-bus-one-to-two-role-${shortUid()}`;
    const pattern = JSON.stringify(TEST_EVENT_PATTERN);
    const ruleOne = `rule-${shortUid()}`;
    await r.putRule({ Name: ruleOne, EventBusName: one, EventPattern: pattern });
    await r.send("put_targets", {
      Rule: ruleOne,
      EventBusName: one,
      Targets: [{ Id: `target-${shortUid()}`, Arn: twoArn, RoleArn: role }],
    });
    const window = await r.window();
    const ruleTwo = `rule-${shortUid()}`;
    await r.putRule({ Name: ruleTwo, EventBusName: two, EventPattern: pattern });
    await r.send("put_targets", {
      Rule: ruleTwo,
      EventBusName: two,
      Targets: [{ Id: `target-${shortUid()}`, Arn: window.arn }],
    });
    await r.send("put_events", {
      Entries: [
        {
          EventBusName: one,
          Source: TEST_EVENT_PATTERN.source[0],
          DetailType: TEST_EVENT_PATTERN["detail-type"][0],
          Detail: pythonJson(TEST_EVENT_DETAIL),
        },
      ],
    });
    const messages = await window.messages(1);
    // key_value(…, reference_replacement=False): every value of the key becomes the text.
    r.keyValue("ReceiptHandle", "receipt-handle");
    r.keyValue("MD5OfBody", "m-d5-of-body");
    r.match("messages", messages);
  }),
);
