import { describe, expect, it } from "vitest";
import { conditionReferences, evaluateConditions } from "./conditions.js";
import { IntrinsicError } from "./template-errors.js";
import { TEST_PSEUDO } from "./test-registry.case.js";

const ctx = {
  parameters: { Env: "prod", Size: "3", Zones: ["a", "b"] },
  pseudo: TEST_PSEUDO,
  mappings: { Sizes: { prod: { Big: "true" } } },
};

describe("evaluateConditions: each condition function", () => {
  it.each<[string, unknown, boolean]>([
    ["Equals true", { "Fn::Equals": [{ Ref: "Env" }, "prod"] }, true],
    ["Equals false", { "Fn::Equals": [{ Ref: "Env" }, "dev"] }, false],
    ["Equals a number parameter with a YAML number", { "Fn::Equals": [{ Ref: "Size" }, 3] }, true],
    ["Equals a pseudo parameter", { "Fn::Equals": [{ Ref: "AWS::Region" }, "eu-west-1"] }, true],
    [
      "Equals with FindInMap",
      { "Fn::Equals": [{ "Fn::FindInMap": ["Sizes", { Ref: "Env" }, "Big"] }, "true"] },
      true,
    ],
    [
      "Equals with Select of a list parameter",
      { "Fn::Equals": [{ "Fn::Select": [1, { Ref: "Zones" }] }, "b"] },
      true,
    ],
    ["Equals with Join", { "Fn::Equals": [{ "Fn::Join": ["-", { Ref: "Zones" }] }, "a-b"] }, true],
    ["And all true", { "Fn::And": [{ "Fn::Equals": ["a", "a"] }, { "Fn::Equals": ["b", "b"] }] }, true],
    ["And one false", { "Fn::And": [{ "Fn::Equals": ["a", "a"] }, { "Fn::Equals": ["b", "c"] }] }, false],
    ["Or one true", { "Fn::Or": [{ "Fn::Equals": ["a", "x"] }, { "Fn::Equals": ["b", "b"] }] }, true],
    ["Or all false", { "Fn::Or": [{ "Fn::Equals": ["a", "x"] }, { "Fn::Equals": ["b", "x"] }] }, false],
    ["Not", { "Fn::Not": [{ "Fn::Equals": [{ Ref: "Env" }, "prod"] }] }, false],
    [
      "nested",
      { "Fn::Not": [{ "Fn::Or": [{ "Fn::Equals": ["a", "b"] }, { "Fn::And": [true, false] }] }] },
      true,
    ],
  ])("%s", (_name, body, expected) => {
    expect(evaluateConditions({ C: body }, ctx)).toEqual({ C: expected });
  });
});

describe("evaluateConditions: conditions naming conditions", () => {
  it("evaluates a condition after those it names, whatever their order in the template", () => {
    const section = {
      IsProdInEurope: { "Fn::And": [{ Condition: "IsProd" }, { Condition: "InEurope" }] },
      NotProd: { "Fn::Not": [{ Condition: "IsProd" }] },
      Alias: { Condition: "IsProdInEurope" },
      IsProd: { "Fn::Equals": [{ Ref: "Env" }, "prod"] },
      InEurope: { "Fn::Equals": [{ Ref: "AWS::Region" }, "eu-west-1"] },
    };
    expect(evaluateConditions(section, ctx)).toEqual({
      IsProd: true,
      InEurope: true,
      IsProdInEurope: true,
      NotProd: false,
      Alias: true,
    });
  });

  it("names the members of a loop among conditions", () => {
    const section = {
      A: { "Fn::Not": [{ Condition: "B" }] },
      B: { "Fn::And": [{ Condition: "C" }, { Condition: "A" }] },
      C: { "Fn::Equals": ["x", "x"] },
    };
    expect(() => evaluateConditions(section, ctx)).toThrow("Circular dependency between conditions: [A, B]");
  });

  it.each<[string, unknown, string, RegExp]>([
    [
      "a condition naming one that does not exist",
      { A: { "Fn::Not": [{ Condition: "Nope" }] } },
      "Conditions.A.Fn::Not[0].Condition",
      /Condition Nope is not defined/,
    ],
    [
      "a Ref to a resource",
      { A: { "Fn::Equals": [{ Ref: "Queue" }, "x"] } },
      "Conditions.A.Fn::Equals[0].Ref",
      /resources cannot be referenced here/,
    ],
    ["a body that is not a condition", { A: "yes" }, "Conditions.A", /must be a condition function/],
    [
      "an FindInMap that fails",
      { A: { "Fn::Equals": [{ "Fn::FindInMap": ["Sizes", "dev", "Big"] }, "x"] } },
      "Conditions.A.Fn::Equals[0].Fn::FindInMap",
      /Unable to get mapping for Sizes::dev::Big/,
    ],
  ])("throws for %s, with its path", (_name, section, path, message) => {
    try {
      evaluateConditions(section, ctx);
      expect.fail("expected an IntrinsicError");
    } catch (error) {
      expect(error).toBeInstanceOf(IntrinsicError);
      expect((error as IntrinsicError).path).toBe(path);
      expect((error as IntrinsicError).message).toMatch(message);
    }
  });

  it("ignores resource callbacks a caller passes along", () => {
    const leaky = { ...ctx, resolveResourceRef: () => "leaked" } as typeof ctx;
    expect(() => evaluateConditions({ A: { "Fn::Equals": [{ Ref: "Queue" }, "leaked"] } }, leaky)).toThrow(
      IntrinsicError,
    );
  });

  it("returns nothing for a template without Conditions", () => {
    expect(evaluateConditions(undefined, ctx)).toEqual({});
  });
});

describe("conditionReferences", () => {
  it.each<[unknown, string[]]>([
    [{ Condition: "A" }, ["A"]],
    [{ "Fn::And": [{ Condition: "A" }, { "Fn::Not": [{ Condition: "B" }] }] }, ["A", "B"]],
    [{ "Fn::Equals": [{ Condition: "A" }, "x"] }, []],
    ["plain", []],
  ])("%j → %j", (body, expected) => {
    expect(conditionReferences(body)).toEqual(expected);
  });
});
