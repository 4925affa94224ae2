/**
 * The text a target receives, for every delivery AWS recorded in LocalStack's test_events_inputs
 * (the requests rewritten here from the test's inputs; the expected text from AWS's recorded SQS
 * bodies), and for the user guide's examples ("Amazon EventBridge input transformation"). Cases
 * marked "LocalStack's snapshot" are AWS recordings kept in LocalStack's own snapshot file but not
 * among Jeff's shared recordings.
 *
 * The recordings parse a body that starts with `{` before keeping it, so a JSON body is asserted as
 * the minified text of the recorded object (AWS's documented "minified"), a string body exactly.
 */
import { describe, expect, it } from "vitest";
import { type InputContext, type ShapedInput, shapeInput, type TargetInputSettings } from "./index.js";

const time = "2024-06-11T08:33:10Z";
const context: InputContext = {
  ruleArn: "arn:aws:events:us-east-1:111111111111:rule/test-bus/test-rule",
  ruleName: "test-rule",
  ingestionTime: time,
};

/** An event as PutEvents builds it for the test's entry (source and detail-type as in the test). */
function eventWith(detail: Record<string, unknown>): Record<string, unknown> {
  return {
    version: "0",
    id: "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "core.update-account-command",
    source: "core.update-account-command",
    account: "111111111111",
    time,
    region: "us-east-1",
    resources: [],
    detail,
  };
}

const testEventDetail = { command: "update-account", payload: { acc_id: "0a787ecb-4015", sf_id: "baz" } };
const duplicatedKeyDetail = {
  command: "update-account",
  payload: { acc_id: "0a787ecb-4015", payload: { message: "baz", id: "123" } },
};
const specialEventDetail = {
  command: "update-account",
  payload: { acc_id: "0a787ecb-4015", sf_id: "baz" },
  listsingle: ["HIGH"],
  listmulti: ["ACTIVE", "INACTIVE"],
  valid: true,
};

const target = (settings: Omit<TargetInputSettings, "Id">): TargetInputSettings => ({
  Id: "t1",
  ...settings,
});
const transformer = (InputTemplate: string, InputPathsMap?: Record<string, string>) =>
  target({ InputTransformer: { InputTemplate, ...(InputPathsMap ? { InputPathsMap } : {}) } });

const input = (text: string): ShapedInput => ({ delivered: true, input: text });
const json = (value: unknown): ShapedInput => input(JSON.stringify(value));

describe("InputPath (recorded)", () => {
  it("delivers the detail for $.detail", () => {
    expect(shapeInput(target({ InputPath: "$.detail" }), eventWith(testEventDetail), context)).toEqual(
      json({ command: "update-account", payload: { acc_id: "0a787ecb-4015", sf_id: "baz" } }),
    );
  });

  it("delivers a nested object, a key of the same name inside it included (second: LocalStack's snapshot)", () => {
    expect(
      shapeInput(target({ InputPath: "$.detail.payload" }), eventWith(duplicatedKeyDetail), context),
    ).toEqual(json({ acc_id: "0a787ecb-4015", payload: { message: "baz", id: "123" } }));
    expect(
      shapeInput(target({ InputPath: "$.detail.payload" }), eventWith(testEventDetail), context),
    ).toEqual(json({ acc_id: "0a787ecb-4015", sf_id: "baz" }));
  });

  it("delivers a selected string as a JSON string (LocalStack's snapshot)", () => {
    expect(
      shapeInput(target({ InputPath: "$.detail.payload.sf_id" }), eventWith(testEventDetail), context),
    ).toEqual(input('"baz"'));
  });

  it("delivers the whole event to a target without input, beside one with InputPath (LocalStack's snapshot)", () => {
    const event = eventWith(testEventDetail);
    expect(shapeInput(target({}), event, context)).toEqual(
      json({
        version: "0",
        id: "7bf73129-1428-4cd3-a780-95db273d1602",
        "detail-type": "core.update-account-command",
        source: "core.update-account-command",
        account: "111111111111",
        time,
        region: "us-east-1",
        resources: [],
        detail: { command: "update-account", payload: { acc_id: "0a787ecb-4015", sf_id: "baz" } },
      }),
    );
    expect(shapeInput(target({ InputPath: "$.detail" }), event, context)).toEqual(json(testEventDetail));
  });

  it("delivers nothing when the path selects nothing (chosen: AWS's answer is not recorded)", () => {
    expect(shapeInput(target({ InputPath: "$.notexisting" }), eventWith(testEventDetail), context)).toEqual({
      delivered: false,
      reason: "nothing-selected",
    });
  });
});

describe("InputTransformer, string templates (recorded)", () => {
  const paths = { "detail-type": "$.detail-type", timestamp: "$.time", command: "$.detail.command" };
  const missingCommand = { ...paths, command: "$.detail.notinmessage" };

  it("puts strings in without their quotes, and nothing for a path that selects nothing", () => {
    const template =
      '"Event of <detail-type> type, at time <timestamp>, info extracted from detail <command>"';
    expect(shapeInput(transformer(template, paths), eventWith(testEventDetail), context)).toEqual(
      input(
        `"Event of core.update-account-command type, at time ${time}, info extracted from detail update-account"`,
      ),
    );
    expect(shapeInput(transformer(template, missingCommand), eventWith(testEventDetail), context)).toEqual(
      input(`"Event of core.update-account-command type, at time ${time}, info extracted from detail "`),
    );
  });

  it("keeps a string that starts with JSON's special characters as written", () => {
    const template = '"{[/Check with special starting characters for event of <detail-type> type"';
    const expected = input(
      '"{[/Check with special starting characters for event of core.update-account-command type"',
    );
    expect(shapeInput(transformer(template, paths), eventWith(testEventDetail), context)).toEqual(expected);
    expect(shapeInput(transformer(template, missingCommand), eventWith(testEventDetail), context)).toEqual(
      expected,
    );
  });
});

describe("InputTransformer, JSON templates (LocalStack's snapshot)", () => {
  it("puts strings in as JSON strings, and an empty string for a path that selects nothing", () => {
    const template = '{"detailType": <detail-type>,  "time": <timestamp>, "command": <command>}';
    const paths = { "detail-type": "$.detail-type", timestamp: "$.time", command: "$.detail.command" };
    expect(shapeInput(transformer(template, paths), eventWith(testEventDetail), context)).toEqual(
      json({ detailType: "core.update-account-command", time, command: "update-account" }),
    );
    expect(
      shapeInput(
        transformer(template, { ...paths, command: "$.detail.notinmessage" }),
        eventWith(testEventDetail),
        context,
      ),
    ).toEqual(json({ detailType: "core.update-account-command", time, command: "" }));
  });
});

describe("InputTransformer, predefined variables (recorded)", () => {
  it("puts the rule's ARN and name and the ingestion time into a string", () => {
    const template =
      '"Message containing all pre defined variables <aws.events.rule-arn> <aws.events.rule-name> <aws.events.event.ingestion-time>"';
    expect(shapeInput(transformer(template), eventWith(testEventDetail), context)).toEqual(
      input(
        `"Message containing all pre defined variables arn:aws:events:us-east-1:111111111111:rule/test-bus/test-rule test-rule ${time}"`,
      ),
    );
  });

  it("puts the event without its detail, and the whole event, into a JSON template", () => {
    const template = '{"originalEvent": <aws.events.event>, "originalEventJson": <aws.events.event.json>}';
    expect(shapeInput(transformer(template), eventWith(testEventDetail), context)).toEqual(
      json({
        originalEvent: {
          id: "7bf73129-1428-4cd3-a780-95db273d1602",
          account: "111111111111",
          detailType: "core.update-account-command",
          time,
          source: "core.update-account-command",
          region: "us-east-1",
          resources: [],
          version: "0",
        },
        originalEventJson: {
          version: "0",
          id: "7bf73129-1428-4cd3-a780-95db273d1602",
          "detail-type": "core.update-account-command",
          source: "core.update-account-command",
          account: "111111111111",
          time,
          region: "us-east-1",
          resources: [],
          detail: { command: "update-account", payload: { acc_id: "0a787ecb-4015", sf_id: "baz" } },
        },
      }),
    );
  });
});

describe("InputTransformer, nested values (recorded: test_input_transformer_nested_keys_replacement)", () => {
  const paths = {
    userId: "$.detail.payload.acc_id",
    payload: "$.detail.payload",
    systemstring: "$.detail.awsAccountId",
    listsingle: "$.detail.listsingle",
    listmulti: "$.detail.listmulti",
    valid: "$.detail.valid",
  };
  const shape = (template: string) =>
    shapeInput(transformer(template, paths), eventWith(specialEventDetail), context);

  it.each([
    // LocalStack's snapshot:
    [
      '{"method": "PUT", "path": "users-service/users/<userId>", "bod": <payload>}',
      {
        method: "PUT",
        path: "users-service/users/0a787ecb-4015",
        bod: { acc_id: "0a787ecb-4015", sf_id: "baz" },
      },
    ],
    ['{"id" : <userId>}', { id: "0a787ecb-4015" }],
    ['{"id" : "<userId>"}', { id: "0a787ecb-4015" }],
    [
      '{"method": "PUT", "path": "users-service/users/<userId>", "id": <userId>, "body": <payload>}',
      {
        method: "PUT",
        path: "users-service/users/0a787ecb-4015",
        id: "0a787ecb-4015",
        body: { acc_id: "0a787ecb-4015", sf_id: "baz" },
      },
    ],
    [
      '{"method": "PUT", "path": "users-service/users/<userId>", "bod": [<userId>, "hardcoded"]}',
      { method: "PUT", path: "users-service/users/0a787ecb-4015", bod: ["0a787ecb-4015", "hardcoded"] },
    ],
    [
      '{"method": "PUT", "nested": {"level1": {"level2": {"level3": "users-service/users/<userId>"} } }, "bod": "<userId>"}',
      {
        method: "PUT",
        nested: { level1: { level2: { level3: "users-service/users/0a787ecb-4015" } } },
        bod: "0a787ecb-4015",
      },
    ],
    ['{"singlelistitem": <listsingle>}', { singlelistitem: ["HIGH"] }],
    [
      '{"multi_replacement": "users/<userId>/second/<userId>"}',
      {
        multi_replacement: "users/0a787ecb-4015/second/0a787ecb-4015",
      },
    ],
  ])("JSON template %s", (template, expected) => {
    expect(shape(template)).toEqual(json(expected));
  });

  it.each([
    [
      '"Payload of <payload> with path users-service/users/<userId> and <userId>"',
      '"Payload of {acc_id:0a787ecb-4015,sf_id:baz} with path users-service/users/0a787ecb-4015 and 0a787ecb-4015"',
    ],
    // LocalStack's snapshot (this one only):
    ['"<listsingle> single list item"', '"[HIGH] single list item"'],
    ['"<listmulti> multiple list items"', '"[ACTIVE,INACTIVE] multiple list items"'],
    // LocalStack's snapshot (this one and the next): a path that selects nothing, and line breaks.
    [
      '"<listsingle> single list item <listmulti> multiple list items <systemstring> system account id <payload> payload <userId> user id"',
      '"[HIGH] single list item [ACTIVE,INACTIVE] multiple list items  system account id {acc_id:0a787ecb-4015,sf_id:baz} payload 0a787ecb-4015 user id"',
    ],
    [
      '"<listsingle> single list item"\n"<listmulti> multiple list items"\n"<systemstring> system account id"\n"<payload> payload"\n"<userId> user id"',
      '"[HIGH] single list item"\n"[ACTIVE,INACTIVE] multiple list items"\n" system account id"\n"{acc_id:0a787ecb-4015,sf_id:baz} payload"\n"0a787ecb-4015 user id"',
    ],
    ['"Command is <valid>!"', '"Command is true!"'],
  ])("string template %s", (template, expected) => {
    expect(shape(template)).toEqual(input(expected));
  });

  it.each([
    '{"not_valid": "users-service/users/<payload>", "bod": <payload>}',
    '{"payload": "<payload>"}',
    '{"singlelistitem": "<listsingle>"}',
  ])("delivers nothing for an object or a list inside quotes of a JSON template: %s", (template) => {
    expect(shape(template)).toEqual({ delivered: false, reason: "template-not-json" });
  });
});

describe("the user guide's examples", () => {
  const ec2Event = {
    version: "0",
    id: "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification",
    source: "aws.ec2",
    account: "123456789012",
    time: "2015-11-11T21:29:54Z",
    region: "us-east-1",
    resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    detail: { "instance-id": "i-0123456789", state: "RUNNING" },
  };
  const paths = {
    timestamp: "$.time",
    instance: "$.detail.instance-id",
    state: "$.detail.state",
    resource: "$.resources[0]",
  };
  const guideContext: InputContext = {
    ruleArn: "arn:aws:events:us-east-2:123456789012:rule/example",
    ruleName: "example",
    ingestionTime: "2015-11-11T21:29:55Z",
  };
  const shape = (template: string) => shapeInput(transformer(template, paths), ec2Event, guideContext);

  it("fills a simple string", () => {
    expect(shape('"instance <instance> is in <state>"')).toEqual(
      input('"instance i-0123456789 is in RUNNING"'),
    );
  });

  it("keeps a string's escaped quotes as written", () => {
    expect(shape('"instance \\"<instance>\\" is in <state>"')).toEqual(
      input('"instance \\"i-0123456789\\" is in RUNNING"'),
    );
  });

  it("fills simple JSON, and JSON with strings and variables", () => {
    expect(shape('{\n  "instance" : <instance>,\n  "state": <state>\n}')).toEqual(
      json({ instance: "i-0123456789", state: "RUNNING" }),
    );
    expect(
      shape(
        '{\n "instance" : <instance>,\n "state": "<state>",\n "instanceStatus": "instance \\"<instance>\\" is in <state>"\n}',
      ),
    ).toEqual(
      json({
        instance: "i-0123456789",
        state: "RUNNING",
        instanceStatus: 'instance "i-0123456789" is in RUNNING',
      }),
    );
  });

  it("mixes variables with static values", () => {
    expect(
      shape('{\n  "instance" : <instance>,\n  "state": [ 9, <state>, true ],\n  "Transformed" : "Yes"\n}\n'),
    ).toEqual(json({ instance: "i-0123456789", state: [9, "RUNNING", true], Transformed: "Yes" }));
  });

  it("includes the reserved variables in JSON and in a string", () => {
    const { detail: _detail, "detail-type": detailType, ...rest } = ec2Event;
    expect(
      shape(
        '{\n  "instance" : <instance>,\n  "state": <state>,\n  "ruleArn" : <aws.events.rule-arn>,\n  "ruleName" : <aws.events.rule-name>,\n  "originalEvent" : <aws.events.event>\n}',
      ),
    ).toEqual(
      json({
        instance: "i-0123456789",
        state: "RUNNING",
        ruleArn: "arn:aws:events:us-east-2:123456789012:rule/example",
        ruleName: "example",
        originalEvent: {
          id: rest.id,
          account: rest.account,
          detailType,
          time: rest.time,
          source: rest.source,
          region: rest.region,
          resources: rest.resources,
          version: rest.version,
        },
      }),
    );
    expect(shape('"<aws.events.rule-name> triggered"')).toEqual(input('"example triggered"'));
  });

  it("selects an array element", () => {
    expect(shape('{"resource": <resource>}')).toEqual(
      json({ resource: "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111" }),
    );
  });

  it("fills bare text, as the API reference's example template", () => {
    const statusPaths = { instance: "$.detail.instance-id", status: "$.detail.state" };
    expect(
      shapeInput(transformer("<instance> is in state <status>", statusPaths), ec2Event, guideContext),
    ).toEqual(input("i-0123456789 is in state RUNNING"));
  });
});

describe("Input", () => {
  it("is delivered as written", () => {
    const text = '{ "a": 1,\n  "b": [true] }';
    expect(shapeInput(target({ Input: text }), eventWith(testEventDetail), context)).toEqual(input(text));
  });
});

describe("values by kind and place (documented rules; unrecorded details chosen as noted)", () => {
  const detail = {
    n: 1.5,
    yes: false,
    nothing: null,
    quote: 'say "hi"',
    list: [1, { a: "b" }],
    obj: { k: 2 },
  };
  const paths = {
    n: "$.detail.n",
    yes: "$.detail.yes",
    nothing: "$.detail.nothing",
    quote: "$.detail.quote",
    missing: "$.detail.missing",
    all: "$.detail.list[*]",
    second: "$.detail.list[1].a",
    values: "$.detail.obj.*",
  };
  const shape = (template: string) => shapeInput(transformer(template, paths), eventWith(detail), context);

  it("writes numbers, booleans, null and lists as JSON outside quotes of a JSON template", () => {
    expect(
      shape(
        '{"n": <n>, "yes": <yes>, "nothing": <nothing>, "all": <all>, "second": <second>, "values": <values>}',
      ),
    ).toEqual(json({ n: 1.5, yes: false, nothing: null, all: [1, { a: "b" }], second: "b", values: [2] }));
  });

  it("writes them as their JSON text inside quotes, and nothing for a missing path", () => {
    expect(shape('{"text": "<n> <yes> <nothing> [<missing>]"}')).toEqual(json({ text: "1.5 false null []" }));
  });

  it('escapes a string outside quotes, but not inside them ("EventBridge doesn\'t escape values")', () => {
    expect(shape('{"q": <quote>}')).toEqual(json({ q: 'say "hi"' }));
    expect(shape('{"q": "<quote>"}')).toEqual({ delivered: false, reason: "template-not-json" });
    expect(shape('"<quote>"')).toEqual(input('"say "hi""'));
  });

  it("minifies a JSON template, keeping what is inside its strings", () => {
    expect(shape('{\n  "a" : [ 1 ,\t2 ],\n  "b": "x  \\n y"\n}')).toEqual(
      input('{"a":[1,2],"b":"x  \\n y"}'),
    );
    expect(shape('{"a": "line\nbreak"}')).toEqual({ delivered: false, reason: "template-not-json" });
  });

  it("reads an array template as text, as AWS does for <aws.events.event.json>", () => {
    expect(shape("[<n>, <quote>]")).toEqual(input('[1.5, say "hi"]'));
  });
});
