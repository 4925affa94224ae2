/**
 * PutTargets' refusals of a target's input settings: the two AWS recorded in LocalStack's
 * test_events_inputs (asserted word for word), the ones AWS is reported to answer, what it accepts
 * (every target of the recorded tests), and the model limits the edge refuses before this module.
 */
import { describe, expect, it } from "vitest";
import { eventsModel, findValidationErrors, validationErrorCode } from "../../protocol/index.js";
import { type TargetInputSettings, validateTargetInput } from "./index.js";

const target = (settings: Omit<TargetInputSettings, "Id">, Id = "target-1"): TargetInputSettings => ({
  Id,
  ...settings,
});
const refusal = (message: string) => ({ code: "ValidationException", status: 400, message });

describe("recorded refusals", () => {
  it("refuses InputPath beside InputTransformer", () => {
    const settings = target({
      InputPath: "$.detail",
      InputTransformer: {
        InputPathsMap: { "detail-type": "$.detail-type", timestamp: "$.time", command: "$.detail.command" },
        InputTemplate: '{"detailType": <detail-type>,  "time": <timestamp>, "command": <command>}',
      },
    });
    expect(validateTargetInput(settings)).toEqual(
      refusal("Only one of Input, InputPath, or InputTransformer must be provided for target target-1."),
    );
  });

  it("refuses a placeholder InputPathsMap does not define", () => {
    const settings = target({
      InputTransformer: {
        InputPathsMap: { "detail-type": "$.detail-type", timestamp: "$.time", command: "$.detail.command" },
        InputTemplate: '"Event of <detail-type> type, with not defined key <notdefinedkey>"',
      },
    });
    expect(validateTargetInput(settings)).toEqual(
      refusal("InputTemplate for target target-1 contains invalid placeholder notdefinedkey."),
    );
  });
});

describe("accepted as recorded", () => {
  const nestedPaths = {
    userId: "$.detail.payload.acc_id",
    payload: "$.detail.payload",
    systemstring: "$.detail.awsAccountId",
    listsingle: "$.detail.listsingle",
    listmulti: "$.detail.listmulti",
    valid: "$.detail.valid",
  };

  it.each([
    ["no input", {}],
    ["InputPath $.detail", { InputPath: "$.detail" }],
    ["InputPath to a missing field", { InputPath: "$.notexisting" }],
    ["InputPath $.detail.payload.sf_id", { InputPath: "$.detail.payload.sf_id" }],
    [
      "predefined variables in a string, without InputPathsMap",
      {
        InputTransformer: {
          InputTemplate:
            '"Message containing all pre defined variables <aws.events.rule-arn> <aws.events.rule-name> <aws.events.event.ingestion-time>"',
        },
      },
    ],
    [
      "the event variables in a JSON template",
      {
        InputTransformer: {
          InputTemplate:
            '{"originalEvent": <aws.events.event>, "originalEventJson": <aws.events.event.json>}',
        },
      },
    ],
    [
      "an object inside quotes (refused only at delivery)",
      { InputTransformer: { InputPathsMap: nestedPaths, InputTemplate: '{"payload": "<payload>"}' } },
    ],
    [
      "several quoted lines",
      {
        InputTransformer: {
          InputPathsMap: nestedPaths,
          InputTemplate: '"<listsingle> single list item"\n"<listmulti> multiple list items"',
        },
      },
    ],
  ] as const)("accepts %s", (_name, settings: Omit<TargetInputSettings, "Id">) => {
    expect(validateTargetInput(target(settings))).toBeUndefined();
  });
});

describe("Input", () => {
  it("accepts any JSON value", () => {
    for (const Input of ['{"a": 1}', '"hello"', "[1, 2]", "12", "true", "null"]) {
      expect(validateTargetInput(target({ Input }))).toBeUndefined();
    }
  });

  it("refuses text that is not JSON with Jackson's location, as AWS answered", () => {
    expect(validateTargetInput(target({ Input: "{'db_name': 'x'}" }, "clone_lambda"))).toEqual(
      refusal(
        `JSON syntax error in input for target clone_lambda: [Source: (String)"{'db_name': 'x'}"; line: 1, column: 3]`,
      ),
    );
    expect(validateTargetInput(target({ Input: "hello" }))?.message).toBe(
      `JSON syntax error in input for target target-1: [Source: (String)"hello"; line: 1, column: 6]`,
    );
    expect(validateTargetInput(target({ Input: '{"a": 1,\n "b": }' }))?.message).toBe(
      `JSON syntax error in input for target target-1: [Source: (String)"{"a": 1,\n "b": }"; line: 2, column: 8]`,
    );
    expect(validateTargetInput(target({ Input: '{"a": 1' }))?.message).toBe(
      `JSON syntax error in input for target target-1: [Source: (String)"{"a": 1"; line: 1, column: 8]`,
    );
  });

  it("refuses Input beside InputPath", () => {
    expect(validateTargetInput(target({ Input: "{}", InputPath: "$.detail" }))).toEqual(
      refusal("Only one of Input, InputPath, or InputTransformer must be provided for target target-1."),
    );
  });
});

describe("JSON paths", () => {
  it.each(["$", "$.detail", "$.detail-type", "$.detail.list[0]", "$.detail.*", "$.resources[*]", "$.a/b"])(
    "accepts %s",
    (path) => {
      expect(validateTargetInput(target({ InputPath: path }))).toBeUndefined();
      expect(
        validateTargetInput(
          target({ InputTransformer: { InputPathsMap: { v: path }, InputTemplate: "<v>" } }),
        ),
      ).toBeUndefined();
    },
  );

  it.each(["detail", "", "$.detail['id']", '$["detail"]', "$.", "$..detail", "$.detail[-1]", "$.a b"])(
    "refuses %j, in InputPath and in InputPathsMap alike",
    (path) => {
      const expected = refusal("InputPath for target target-1 is invalid.");
      expect(validateTargetInput(target({ InputPath: path }))).toEqual(expected);
      expect(
        validateTargetInput(
          target({ InputTransformer: { InputPathsMap: { ok: "$.detail", v: path }, InputTemplate: "<ok>" } }),
        ),
      ).toEqual(expected);
    },
  );
});

describe("InputTemplate", () => {
  it.each(["aws.events.event.json", "aws.events.event"])(
    "takes <%s> only in a JSON-object template",
    (name) => {
      const refused = refusal(
        `InputTemplate for target target-1 contains placeholder ${name} valid only for JSON template.`,
      );
      expect(validateTargetInput(target({ InputTransformer: { InputTemplate: `"<${name}>"` } }))).toEqual(
        refused,
      );
      expect(validateTargetInput(target({ InputTransformer: { InputTemplate: `[<${name}>]` } }))).toEqual(
        refused,
      );
      expect(
        validateTargetInput(target({ InputTransformer: { InputTemplate: ` {"e": <${name}>}` } })),
      ).toBeUndefined();
    },
  );

  it("reports the first undefined placeholder, predefined variables needing no path", () => {
    expect(
      validateTargetInput(
        target({
          InputTransformer: {
            InputPathsMap: { a: "$.a" },
            InputTemplate: '"<a> <aws.events.rule-name> <b> <c>"',
          },
        }),
      ),
    ).toEqual(refusal("InputTemplate for target target-1 contains invalid placeholder b."));
  });

  it("reads only names an InputPathsMap key could have as placeholders", () => {
    expect(
      validateTargetInput(target({ InputTransformer: { InputTemplate: '"a < b > c, <>"' } })),
    ).toBeUndefined();
  });
});

describe("the model's limits, refused by the edge before this module", () => {
  const putTargets = (inputTransformer: Record<string, unknown>) =>
    findValidationErrors(eventsModel, "PutTargets", {
      Rule: "rule",
      Targets: [
        { Id: "t1", Arn: "arn:aws:sqs:us-east-1:111111111111:queue", InputTransformer: inputTransformer },
      ],
    });

  it("answers them as ValidationException", () => {
    expect(validationErrorCode(eventsModel)).toBe("ValidationException");
  });

  it("refuses more than 100 paths, a reserved or odd key, a long path and a long template", () => {
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, "$.detail"]));
    const cases: Record<string, unknown>[] = [
      { InputPathsMap: many, InputTemplate: "<k1>" },
      { InputPathsMap: { "aws.events.rule-name": "$.detail" }, InputTemplate: "x" },
      { InputPathsMap: { "a key": "$.detail" }, InputTemplate: "x" },
      { InputPathsMap: { k: `$.${"a".repeat(256)}` }, InputTemplate: "<k>" },
      { InputTemplate: "x".repeat(8193) },
      { InputTemplate: "" },
    ];
    for (const inputTransformer of cases) {
      const [violation, ...more] = putTargets(inputTransformer);
      expect(more).toEqual([]);
      expect(violation?.path).toMatch(/^targets\.1\.member\.inputTransformer\./);
    }
    expect(putTargets({ InputPathsMap: { "detail-type": "$.detail-type" }, InputTemplate: "x" })).toEqual([]);
  });
});
