import { describe, expect, it } from "vitest";
import { type ResolveContext, resolveValue } from "./intrinsics.js";
import { IntrinsicError } from "./template-errors.js";
import { TEST_PSEUDO } from "./test-registry.case.js";

const ctx: ResolveContext = {
  parameters: { Env: "prod", Count: "3", Subnets: ["subnet-a", "subnet-b"], Name: "orders", Empty: "" },
  pseudo: TEST_PSEUDO,
  conditions: { IsProd: true, IsDev: false },
  mappings: {
    RegionMap: { "eu-west-1": { Ami: "ami-eu", Zones: ["a", "b"] }, "us-east-1": { Ami: "ami-us" } },
  },
  resolveResourceRef: (id) => `${id}-physical`,
  resolveGetAtt: (id, attribute) => (attribute === "List" ? ["x", "y"] : `${id}.${attribute}-value`),
  importValue: (name) => `imported-${name}`,
};

describe("resolveValue", () => {
  it.each<[string, unknown, unknown]>([
    // Ref: parameters, pseudo parameters and resources.
    ["Ref to a parameter", { Ref: "Env" }, "prod"],
    ["Ref to a list parameter", { Ref: "Subnets" }, ["subnet-a", "subnet-b"]],
    ["Ref to a resource", { Ref: "Queue" }, "Queue-physical"],
    ["Ref AWS::AccountId", { Ref: "AWS::AccountId" }, "123456789012"],
    ["Ref AWS::Region", { Ref: "AWS::Region" }, "eu-west-1"],
    ["Ref AWS::StackName", { Ref: "AWS::StackName" }, "demo"],
    ["Ref AWS::StackId", { Ref: "AWS::StackId" }, TEST_PSEUDO.stackId],
    ["Ref AWS::Partition", { Ref: "AWS::Partition" }, "aws"],
    ["Ref AWS::URLSuffix", { Ref: "AWS::URLSuffix" }, "amazonaws.com"],
    ["Ref AWS::NotificationARNs", { Ref: "AWS::NotificationARNs" }, []],
    ["Ref AWS::NoValue as the whole value", { Ref: "AWS::NoValue" }, undefined],
    ["AWS::NoValue removes a key", { A: 1, B: { Ref: "AWS::NoValue" } }, { A: 1 }],
    ["AWS::NoValue removes a list element", [1, { Ref: "AWS::NoValue" }, 2], [1, 2]],
    // Fn::GetAtt, both forms, and a computed attribute name.
    ["GetAtt list form", { "Fn::GetAtt": ["Queue", "Arn"] }, "Queue.Arn-value"],
    ["GetAtt dotted string", { "Fn::GetAtt": "Db.Endpoint.Address" }, "Db.Endpoint.Address-value"],
    ["GetAtt computed attribute", { "Fn::GetAtt": ["Queue", { Ref: "Name" }] }, "Queue.orders-value"],
    // Fn::Sub.
    ["Sub with a parameter", { "Fn::Sub": "env-${Env}" }, "env-prod"],
    [
      "Sub with pseudo parameters",
      { "Fn::Sub": "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:t" },
      "arn:aws:sns:eu-west-1:123456789012:t",
    ],
    [
      "Sub with a resource and an attribute",
      { "Fn::Sub": "${Queue} ${Queue.Arn}" },
      "Queue-physical Queue.Arn-value",
    ],
    ["Sub ${!Literal} escape", { "Fn::Sub": "echo ${!HOME} ${Env}" }, "echo ${HOME} prod"],
    ["Sub with no variables", { "Fn::Sub": "plain" }, "plain"],
    ["Sub with an unclosed ${", { "Fn::Sub": "a ${b" }, "a ${b"],
    ["Sub with a variables map", { "Fn::Sub": ["${A}-${Env}", { A: { Ref: "Count" } }] }, "3-prod"],
    ["Sub variables shadow parameters", { "Fn::Sub": ["${Env}", { Env: "local" }] }, "local"],
    ["Sub variable may be a dotted name", { "Fn::Sub": ["${a.b}", { "a.b": "dotted" }] }, "dotted"],
    // Fn::Join, Fn::Select, Fn::Split.
    ["Join", { "Fn::Join": [",", ["a", "b", "c"]] }, "a,b,c"],
    [
      "Join with an empty delimiter and nested calls",
      { "Fn::Join": ["", [{ Ref: "Env" }, "-", { "Fn::Sub": "${Count}" }]] },
      "prod-3",
    ],
    ["Join of a list parameter", { "Fn::Join": [";", { Ref: "Subnets" }] }, "subnet-a;subnet-b"],
    ["Join drops AWS::NoValue elements", { "Fn::Join": ["-", ["a", { Ref: "AWS::NoValue" }, "b"]] }, "a-b"],
    ["Join stringifies numbers", { "Fn::Join": [":", [1, true]] }, "1:true"],
    ["Select", { "Fn::Select": [1, ["a", "b", "c"]] }, "b"],
    ["Select with a string index", { "Fn::Select": ["0", ["a"]] }, "a"],
    ["Select from a list parameter", { "Fn::Select": [1, { Ref: "Subnets" }] }, "subnet-b"],
    ["Split", { "Fn::Split": ["|", "a|b||c"] }, ["a", "b", "", "c"]],
    ["Split then Select", { "Fn::Select": [2, { "Fn::Split": [",", "x,y,z"] }] }, "z"],
    ["Select of GetAZs", { "Fn::Select": [0, { "Fn::GetAZs": "" }] }, "eu-west-1a"],
    // Fn::If and AWS::NoValue.
    ["If true", { "Fn::If": ["IsProd", "big", "small"] }, "big"],
    ["If false", { "Fn::If": ["IsDev", "big", "small"] }, "small"],
    [
      "If false with AWS::NoValue removes the key",
      { Keep: 1, Drop: { "Fn::If": ["IsDev", 5, { Ref: "AWS::NoValue" }] } },
      { Keep: 1 },
    ],
    [
      "nested If with AWS::NoValue",
      { Size: { "Fn::If": ["IsProd", { "Fn::If": ["IsDev", "m", { Ref: "AWS::NoValue" }] }, "s"] } },
      {},
    ],
    ["If resolves only the taken branch", { "Fn::If": ["IsProd", "ok", { "Fn::Select": [9, []] }] }, "ok"],
    ["If inside a list", ["a", { "Fn::If": ["IsDev", "b", { Ref: "AWS::NoValue" }] }], ["a"]],
    // Condition functions used as values.
    ["Equals of a parameter and a literal", { "Fn::Equals": [{ Ref: "Env" }, "prod"] }, true],
    ["Equals compares numbers as strings", { "Fn::Equals": [{ Ref: "Count" }, 3] }, true],
    ["Equals of lists", { "Fn::Equals": [{ Ref: "Subnets" }, ["subnet-a", "subnet-b"]] }, true],
    ["And", { "Fn::And": [{ Condition: "IsProd" }, { "Fn::Equals": ["a", "a"] }] }, true],
    ["Or", { "Fn::Or": [{ Condition: "IsDev" }, { Condition: "IsProd" }] }, true],
    ["Not", { "Fn::Not": [{ Condition: "IsProd" }] }, false],
    // Fn::FindInMap.
    ["FindInMap", { "Fn::FindInMap": ["RegionMap", { Ref: "AWS::Region" }, "Ami"] }, "ami-eu"],
    ["FindInMap of a list", { "Fn::FindInMap": ["RegionMap", "eu-west-1", "Zones"] }, ["a", "b"]],
    [
      "FindInMap falls back to DefaultValue",
      { "Fn::FindInMap": ["RegionMap", "ap-south-1", "Ami", { DefaultValue: "ami-default" }] },
      "ami-default",
    ],
    // Fn::Base64, Fn::GetAZs, Fn::ImportValue, Fn::Cidr.
    ["Base64", { "Fn::Base64": "hello" }, "aGVsbG8="],
    [
      "Base64 of Sub",
      { "Fn::Base64": { "Fn::Sub": "#!/bin/sh\necho ${Env}" } },
      Buffer.from("#!/bin/sh\necho prod").toString("base64"),
    ],
    ["GetAZs of the current region", { "Fn::GetAZs": "" }, ["eu-west-1a", "eu-west-1b", "eu-west-1c"]],
    [
      "GetAZs of a Ref to the region",
      { "Fn::GetAZs": { Ref: "AWS::Region" } },
      ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
    ],
    ["GetAZs of another region", { "Fn::GetAZs": "us-east-1" }, ["us-east-1a", "us-east-1b", "us-east-1c"]],
    [
      "ImportValue through the callback",
      { "Fn::ImportValue": { "Fn::Sub": "${Env}-VpcId" } },
      "imported-prod-VpcId",
    ],
    [
      "Cidr",
      { "Fn::Cidr": ["192.168.0.0/24", 3, 5] },
      ["192.168.0.0/27", "192.168.0.32/27", "192.168.0.64/27"],
    ],
    // Plain data passes through; a Condition key outside condition functions is data.
    [
      "plain data",
      { Statement: [{ Effect: "Allow", Condition: { Bool: { x: "true" } } }] },
      { Statement: [{ Effect: "Allow", Condition: { Bool: { x: "true" } } }] },
    ],
    ["a one-key Condition map is data here", { Condition: "IsProd" }, { Condition: "IsProd" }],
    ["scalars", 42, 42],
  ])("%s", (_name, value, expected) => {
    expect(resolveValue(value, ctx)).toEqual(expected);
  });

  it("derives partition and URL suffix from China and GovCloud regions", () => {
    const china = { ...ctx, pseudo: { ...TEST_PSEUDO, region: "cn-north-1" } };
    expect(resolveValue({ "Fn::Sub": "${AWS::Partition} ${AWS::URLSuffix}" }, china)).toBe(
      "aws-cn amazonaws.com.cn",
    );
    const gov = { ...ctx, pseudo: { ...TEST_PSEUDO, region: "us-gov-west-1" } };
    expect(resolveValue({ Ref: "AWS::Partition" }, gov)).toBe("aws-us-gov");
  });

  it("does not modify its input", () => {
    const value = { A: [{ Ref: "Env" }, { Ref: "AWS::NoValue" }] };
    const copy = structuredClone(value);
    resolveValue(value, ctx);
    expect(value).toEqual(copy);
  });
});

describe("resolveValue errors carry the path of the failing call", () => {
  const base = "Resources.Fn.Properties.X";
  it.each<[string, unknown, string, RegExp]>([
    [
      "Select out of range",
      { "Fn::Select": [3, ["a", "b"]] },
      `${base}.Fn::Select`,
      /cannot select nonexistent value at index 3/,
    ],
    [
      "Select with a negative index",
      { "Fn::Select": [-1, ["a"]] },
      `${base}.Fn::Select`,
      /nonexistent value at index -1/,
    ],
    ["Select from a non-list", { "Fn::Select": [0, "abc"] }, `${base}.Fn::Select`, /must be a list/],
    [
      "FindInMap missing second key",
      { "Fn::FindInMap": ["RegionMap", "eu-west-1", "Nope"] },
      `${base}.Fn::FindInMap`,
      /Unable to get mapping for RegionMap::eu-west-1::Nope/,
    ],
    [
      "FindInMap missing map",
      { "Fn::FindInMap": ["Missing", "a", "b"] },
      `${base}.Fn::FindInMap`,
      /Unable to get mapping for Missing::a::b/,
    ],
    [
      "FindInMap wrong arity",
      { "Fn::FindInMap": ["RegionMap", "eu-west-1"] },
      `${base}.Fn::FindInMap`,
      /requires a list of 3 parameters/,
    ],
    [
      "If with an undefined condition",
      { "Fn::If": ["Nope", 1, 2] },
      `${base}.Fn::If`,
      /Condition Nope is not defined/,
    ],
    [
      "If with two arguments",
      { "Fn::If": ["IsProd", 1] },
      `${base}.Fn::If`,
      /requires a list of 3 parameters/,
    ],
    ["Join of a non-list", { "Fn::Join": [",", "abc"] }, `${base}.Fn::Join`, /must be a list/],
    ["Join of objects", { "Fn::Join": [",", [{ a: 1 }]] }, `${base}.Fn::Join`, /must be a string/],
    ["Join with one argument", { "Fn::Join": [","] }, `${base}.Fn::Join`, /requires two parameters/],
    ["Ref of a non-string", { Ref: ["A"] }, `${base}.Ref`, /single String value/],
    [
      "GetAtt without an attribute",
      { "Fn::GetAtt": "Queue" },
      `${base}.Fn::GetAtt`,
      /two non-empty parameters/,
    ],
    [
      "GetAtt with three elements",
      { "Fn::GetAtt": ["A", "B", "C"] },
      `${base}.Fn::GetAtt`,
      /two non-empty parameters/,
    ],
    ["Sub of a list parameter", { "Fn::Sub": "${Subnets}" }, `${base}.Fn::Sub`, /must resolve to a string/],
    [
      "Sub with a bad variable name",
      { "Fn::Sub": "${not valid}" },
      `${base}.Fn::Sub`,
      /variable names in Fn::Sub syntax/,
    ],
    [
      "Sub with AWS::NoValue",
      { "Fn::Sub": "${AWS::NoValue}" },
      `${base}.Fn::Sub`,
      /AWS::NoValue cannot be substituted/,
    ],
    ["Sub with a malformed list", { "Fn::Sub": ["${A}"] }, `${base}.Fn::Sub`, /list of a string and a map/],
    ["Split of a list", { "Fn::Split": [",", ["a"]] }, `${base}.Fn::Split`, /must be a string/],
    [
      "And with one condition",
      { "Fn::And": [{ Condition: "IsProd" }] },
      `${base}.Fn::And`,
      /2 to 10 conditions/,
    ],
    [
      "Or with a string operand",
      { "Fn::Or": ["IsProd", "x"] },
      `${base}.Fn::Or[0]`,
      /must be a condition function/,
    ],
    [
      "Not with an undefined condition",
      { "Fn::Not": [{ Condition: "Nope" }] },
      `${base}.Fn::Not[0].Condition`,
      /Condition Nope is not defined/,
    ],
    [
      "an unsupported function",
      { "Fn::Length": [1, 2] },
      `${base}.Fn::Length`,
      /Encountered unsupported function: Fn::Length/,
    ],
    [
      "Cidr asking for too many subnets",
      { "Fn::Cidr": ["10.0.0.0/24", 9, 5] },
      `${base}.Fn::Cidr`,
      /holds only 8 subnets/,
    ],
    [
      "a failing nested call",
      { A: [{ "Fn::Join": ["", [{ "Fn::Select": [5, []] }]] }] },
      `${base}.A[0].Fn::Join[1][0].Fn::Select`,
      /index 5/,
    ],
  ])("%s", (_name, value, path, message) => {
    try {
      resolveValue(value, ctx, base);
      expect.fail("expected an IntrinsicError");
    } catch (error) {
      expect(error).toBeInstanceOf(IntrinsicError);
      expect((error as IntrinsicError).path).toBe(path);
      expect((error as IntrinsicError).message).toMatch(message);
    }
  });

  it("says where resources cannot be referenced, and that ImportValue is unavailable without a callback", () => {
    const bare: ResolveContext = { parameters: {}, pseudo: TEST_PSEUDO, conditions: {} };
    expect(() => resolveValue({ Ref: "Queue" }, bare)).toThrow(/resources cannot be referenced here/);
    expect(() => resolveValue({ "Fn::GetAtt": ["Queue", "Arn"] }, bare)).toThrow(
      /resources cannot be referenced here/,
    );
    expect(() => resolveValue({ "Fn::ImportValue": "X" }, bare)).toThrow(
      /Fn::ImportValue is not supported here/,
    );
  });

  it("wraps errors thrown by engine callbacks with the path of the call", () => {
    const failing: ResolveContext = {
      ...ctx,
      resolveGetAtt: () => {
        throw new Error("Queue is not created yet");
      },
    };
    expect(() => resolveValue({ X: { "Fn::GetAtt": ["Queue", "Arn"] } }, failing, "Outputs.Q.Value")).toThrow(
      expect.objectContaining({ path: "Outputs.Q.Value.X.Fn::GetAtt", message: "Queue is not created yet" }),
    );
  });
});

describe("resolveValue never lets a callback's missing answer through", () => {
  const silent: ResolveContext = {
    parameters: {},
    pseudo: TEST_PSEUDO,
    conditions: {},
    resolveResourceRef: () => undefined,
    resolveGetAtt: () => undefined,
    importValue: () => undefined,
  };
  it.each<[unknown, RegExp]>([
    [{ Ref: "Queue" }, /Unresolved reference Queue/],
    [{ "Fn::GetAtt": ["Queue", "Arn"] }, /resource Queue has no value for attribute Arn/],
    [{ "Fn::Sub": "${Queue.Arn}" }, /resource Queue has no value for attribute Arn/],
    [{ "Fn::ImportValue": "Shared" }, /No export named Shared found/],
  ])("%j", (value, message) => {
    expect(() => resolveValue(value, silent)).toThrow(message);
  });
});
