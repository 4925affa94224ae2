// test_events_inputs.py: what a target receives through InputPath and InputTransformer, read from
// a window function in place of the tests' SQS queue (replay.ts), and PutTargets' refusals. The
// tests' `key_value("MD5OfBody" | "ReceiptHandle")` numbers each distinct value
// (`<m-d5-of-body:2>`), as the runner's bindings do with the values left as they are.
import { type ReplayCase, replayed } from "../case.js";
import { type Answer, type Replay, shortUid } from "../replay.js";
import { pythonJson, TEST_EVENT_DETAIL, TEST_EVENT_PATTERN } from "../test-events-constants.js";

const file = "test_events_inputs" as const;

const SPECIAL_EVENT_DETAIL = {
  command: "update-account",
  payload: { acc_id: "0a787ecb-4015", sf_id: "baz" },
  listsingle: ["HIGH"],
  listmulti: ["ACTIVE", "INACTIVE"],
  valid: true,
};

const EVENT_DETAIL_DUPLICATED_KEY = {
  command: "update-account",
  payload: { acc_id: "0a787ecb-4015", payload: { message: "baz", id: "123" } },
};

/** One entry the tests' pattern matches, with `detail`. */
const entry = (detail: object) => ({
  Source: TEST_EVENT_PATTERN.source[0],
  DetailType: TEST_EVENT_PATTERN["detail-type"][0],
  Detail: pythonJson(detail),
});

const queueArn = (r: Replay) => `arn:aws:sqs:${r.region}:${r.accountId}:queue-${shortUid()}`;

/** A bus and a rule with the tests' pattern on it: the rule's name and bus. */
async function busAndRule(r: Replay): Promise<{ bus: string; rule: string }> {
  const bus = `test-bus-${shortUid()}`;
  await r.createEventBus({ Name: bus });
  const rule = `test-rule-${shortUid()}`;
  await r.putRule({ Name: rule, EventBusName: bus, EventPattern: JSON.stringify(TEST_EVENT_PATTERN) });
  return { bus, rule };
}

const templateStrings = [
  '"Event of <detail-type> type, at time <timestamp>, info extracted from detail <command>"',
  '"{[/Check with special starting characters for event of <detail-type> type"',
];

/** The templates of test_input_transformer_nested_keys_replacement that AWS's recordings hold. */
const nestedTemplates = [
  '"Payload of <payload> with path users-service/users/<userId> and <userId>"',
  '{"id" : <userId>}',
  '{"id" : "<userId>"}',
  '{"method": "PUT", "path": "users-service/users/<userId>", "id": <userId>, "body": <payload>}',
  '{"method": "PUT", "path": "users-service/users/<userId>", "bod": [<userId>, "hardcoded"]}',
  '{"method": "PUT", "nested": {"level1": {"level2": {"level3": "users-service/users/<userId>"} } }, "bod": "<userId>"}',
  '"<listmulti> multiple list items"',
  '{"singlelistitem": <listsingle>}',
  '{"multi_replacement": "users/<userId>/second/<userId>"}',
  '"Command is <valid>!"',
];

/**
 * Templates whose recordings hold nothing: filled in they are text, not JSON (AWS delivered it to
 * the queue, and the test then failed reading it as JSON before recording). A function target
 * cannot receive text (Lambda's Invoke takes only JSON), so there is nothing to compare: the case
 * makes the same calls and expects them to be accepted.
 */
const unrecordedTemplates = [
  "<listsingle> single list item",
  "<listmulti> multiple list items",
  '{"singlelistitem": "<listsingle>", "multiplelistitems": "<listmulti>"}',
];

const nestedPathsMap = {
  userId: "$.detail.payload.acc_id",
  payload: "$.detail.payload",
  systemstring: "$.detail.awsAccountId",
  listsingle: "$.detail.listsingle",
  listmulti: "$.detail.listmulti",
  valid: "$.detail.valid",
};

/** The tests' transformer of the envelope's detail-type, time and command into `template`. */
const transformer = (template: string) => ({
  InputPathsMap: { "detail-type": "$.detail-type", timestamp: "$.time", command: "$.detail.command" },
  InputTemplate: template,
});

/** PutTargets of one target to a queue with `input`, on a new bus's rule, refused as expected. */
async function refusedTarget(r: Replay, input: object): Promise<Answer> {
  const { bus, rule } = await busAndRule(r);
  const target = `target-${shortUid()}`;
  r.regex(target, "<target-id>");
  return r.refuse("put_targets", {
    Rule: rule,
    EventBusName: bus,
    Targets: [{ Id: target, Arn: queueArn(r), ...input }],
  });
}

export const cases: ReplayCase[] = [
  replayed(file, "test_put_event_input_path_and_input_transformer", async (r) => {
    const error = await refusedTarget(r, {
      InputTransformer: transformer(
        '{"detailType": <detail-type>,  "time": <timestamp>, "command": <command>}',
      ),
      InputPath: "$.detail",
    });
    r.match("duplicated-input-operations-error", error);
  }),
  replayed(file, "TestInputPath::test_put_events_with_input_path", async (r) => {
    const messages = await r.putEventsWithFilter({
      pattern: TEST_EVENT_PATTERN,
      entriesAsserts: [[[entry(TEST_EVENT_DETAIL)], true]],
      inputPath: "$.detail",
    });
    r.match("message", messages);
  }),
  replayed(file, "TestInputPath::test_put_events_with_input_path_nested[event_detail1]", async (r) => {
    const messages = await r.putEventsWithFilter({
      pattern: TEST_EVENT_PATTERN,
      entriesAsserts: [[[entry(EVENT_DETAIL_DUPLICATED_KEY)], true]],
      inputPath: "$.detail.payload",
    });
    r.match("message", messages);
  }),
  replayed(file, "TestInputTransformer::test_put_events_with_input_transformer_missing_keys", async (r) => {
    const error = await refusedTarget(r, {
      InputTransformer: transformer('"Event of <detail-type> type, with not defined key <notdefinedkey>"'),
    });
    r.match("missing-key-exception-error", error);
  }),
  ...[
    '"Message containing all pre defined variables <aws.events.rule-arn> <aws.events.rule-name> <aws.events.event.ingestion-time>"',
    '{"originalEvent": <aws.events.event>, "originalEventJson": <aws.events.event.json>}',
  ].map((template) =>
    replayed(
      file,
      `TestInputTransformer::test_input_transformer_predefined_variables[${template}]`,
      async (r) => {
        const window = await r.window();
        const { bus, rule } = await busAndRule(r);
        await r.send("put_targets", {
          Rule: rule,
          EventBusName: bus,
          Targets: [
            { Id: `target-${shortUid()}`, Arn: window.arn, InputTransformer: { InputTemplate: template } },
          ],
        });
        await r.send("put_events", { Entries: [{ ...entry(TEST_EVENT_DETAIL), EventBusName: bus }] });
        const messages = await window.messages(1);
        r.regex(bus, "<bus-name>");
        r.regex(rule, "<rule-name>");
        r.match("messages", messages.map(ingestionTimeReplaced));
      },
    ),
  ),
  ...templateStrings.map((template) =>
    replayed(
      file,
      `TestInputTransformer::test_put_events_with_input_transformer_input_template_string[${template}]`,
      async (r) => {
        const transformed = (command: string) =>
          r.putEventsWithFilter({
            pattern: TEST_EVENT_PATTERN,
            entriesAsserts: [[[entry(TEST_EVENT_DETAIL)], true]],
            inputTransformer: {
              InputPathsMap: { "detail-type": "$.detail-type", timestamp: "$.time", command },
              InputTemplate: template,
            },
          });
        const matchAll = await transformed("$.detail.command");
        const notMatchAll = await transformed("$.detail.notinmessage");
        r.match("custom-variables-match-all", matchAll);
        r.match("custom-variables-not-match-all", notMatchAll);
      },
    ),
  ),
  ...nestedTemplates.map((template) =>
    replayed(
      file,
      `TestInputTransformer::test_input_transformer_nested_keys_replacement[${template}]`,
      async (r) => {
        const messages = await r.putEventsWithFilter({
          pattern: TEST_EVENT_PATTERN,
          entriesAsserts: [[[entry(SPECIAL_EVENT_DETAIL)], true]],
          inputTransformer: { InputPathsMap: nestedPathsMap, InputTemplate: template },
        });
        r.match("input-transformed-messages", messages);
      },
    ),
  ),
  ...unrecordedTemplates.map((template) =>
    replayed(
      file,
      `TestInputTransformer::test_input_transformer_nested_keys_replacement[${template}]`,
      async (r) => {
        await r.putEventsWithFilter({
          pattern: TEST_EVENT_PATTERN,
          entriesAsserts: [[[entry(SPECIAL_EVENT_DETAIL)], false]],
          inputTransformer: { InputPathsMap: nestedPathsMap, InputTemplate: template },
        });
      },
    ),
  ),
];

/** The test's `jsonpath("$.messages[*].Body.originalEvent.time", "<ingestion-time>")`. */
function ingestionTimeReplaced(message: Answer): Answer {
  const body = JSON.parse(message.Body as string) as unknown;
  if (body === null || typeof body !== "object" || !("originalEvent" in body)) return message;
  const original = (body as { originalEvent: Record<string, unknown> }).originalEvent;
  return {
    ...message,
    Body: JSON.stringify({ ...body, originalEvent: { ...original, time: "<ingestion-time>" } }),
  };
}
