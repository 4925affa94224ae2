import { describe, expect, it } from "vitest";
import { applySamGlobals, mergeGlobalValue, readGlobals } from "./sam-globals.js";

describe("mergeGlobalValue follows SAM's rules", () => {
  it.each<[string, unknown, unknown, unknown]>([
    ["the resource's scalar wins", "nodejs18.x", "python3.12", "python3.12"],
    ["a global scalar fills a missing value", { Timeout: 30 }, {}, { Timeout: 30 }],
    ["maps merge key by key", { A: 1, B: 2 }, { B: 3, C: 4 }, { A: 1, B: 3, C: 4 }],
    [
      "Environment.Variables merge",
      { Environment: { Variables: { TABLE: "t", STAGE: "dev" } } },
      { Environment: { Variables: { STAGE: "prod", EXTRA: "x" } } },
      { Environment: { Variables: { TABLE: "t", STAGE: "prod", EXTRA: "x" } } },
    ],
    [
      "lists concatenate, global first, keeping duplicates",
      { Layers: ["l1", "l2"] },
      { Layers: ["l1", "l3"] },
      { Layers: ["l1", "l2", "l1", "l3"] },
    ],
    [
      "different kinds: the resource wins",
      { CodeUri: "s3://bucket/key" },
      { CodeUri: { Bucket: "b", Key: "k" } },
      { CodeUri: { Bucket: "b", Key: "k" } },
    ],
    [
      "an intrinsic counts as a scalar",
      { Tags: { A: "1" } },
      { Tags: { "Fn::If": ["C", { B: "2" }, { Ref: "AWS::NoValue" }] } },
      { Tags: { "Fn::If": ["C", { B: "2" }, { Ref: "AWS::NoValue" }] } },
    ],
    [
      "a global intrinsic is replaced by a resource map",
      { VpcConfig: { Ref: "Vpc" } },
      { VpcConfig: { SubnetIds: [] } },
      { VpcConfig: { SubnetIds: [] } },
    ],
    [
      "nested maps merge recursively",
      { DeploymentPreference: { Enabled: false, Type: "Canary", Hooks: { Pre: "a" } } },
      { DeploymentPreference: { Type: "Linear", Hooks: { Post: "b" } } },
      { DeploymentPreference: { Enabled: false, Type: "Linear", Hooks: { Pre: "a", Post: "b" } } },
    ],
  ])("%s", (_name, global, local, expected) => {
    expect(mergeGlobalValue(global, local)).toEqual(expected);
  });
});

describe("readGlobals", () => {
  it.each<[string, unknown, string, string]>([
    [
      "an unknown section",
      { Functions: { Timeout: 3 } },
      "Globals.Functions",
      "'Globals' section is invalid. 'Functions' is not supported. Must be one of the following values - [Api, Function, HttpApi, LayerVersion, SimpleTable, StateMachine]",
    ],
    [
      "a property Globals may not set",
      { Function: { FunctionName: "x" } },
      "Globals.Function.FunctionName",
      "'Globals' section is invalid. 'FunctionName' is not a supported property of 'Function'.",
    ],
    [
      "Events in Globals",
      { Function: { Events: {} } },
      "Globals.Function.Events",
      "'Globals' section is invalid. 'Events' is not a supported property of 'Function'.",
    ],
    [
      "a section that is not a map",
      { Function: ["Timeout"] },
      "Globals.Function",
      "'Globals' section is invalid. Value of Function must be a dictionary",
    ],
    ["an empty Globals", {}, "Globals", "'Globals' section is invalid. It must be a non-empty dictionary"],
  ])("reports %s", (_name, section, path, message) => {
    const { errors } = readGlobals(section);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe(path);
    expect(errors[0]?.message.startsWith(message)).toBe(true);
  });
});

describe("applySamGlobals", () => {
  const template = {
    Transform: "AWS::Serverless-2016-10-31",
    Globals: {
      Function: {
        Runtime: "nodejs20.x",
        Timeout: 10,
        Environment: { Variables: { TABLE: "t" } },
        Layers: ["g"],
      },
      SimpleTable: { SSESpecification: { SSEEnabled: true } },
    },
    Resources: {
      A: {
        Type: "AWS::Serverless::Function",
        Properties: { Handler: "a.handler", Timeout: 30, Layers: ["a"] },
      },
      B: { Type: "AWS::Serverless::Function" },
      C: { Type: "AWS::Serverless::Function", IgnoreGlobals: "*", Properties: { Runtime: "python3.12" } },
      D: {
        Type: "AWS::Serverless::Function",
        IgnoreGlobals: ["Layers", "Timeout"],
        Properties: { Handler: "d" },
      },
      T: { Type: "AWS::Serverless::SimpleTable" },
      Topic: { Type: "AWS::SNS::Topic", Properties: { TopicName: "t" } },
    },
  };

  it("merges into every resource of the matching type, and drops the Globals section", () => {
    const { template: merged, errors } = applySamGlobals(template);
    expect(errors).toEqual([]);
    expect(merged.Globals).toBeUndefined();
    expect(merged.Resources).toEqual({
      A: {
        Type: "AWS::Serverless::Function",
        Properties: {
          Runtime: "nodejs20.x",
          Timeout: 30,
          Environment: { Variables: { TABLE: "t" } },
          Layers: ["g", "a"],
          Handler: "a.handler",
        },
      },
      B: {
        Type: "AWS::Serverless::Function",
        Properties: {
          Runtime: "nodejs20.x",
          Timeout: 10,
          Environment: { Variables: { TABLE: "t" } },
          Layers: ["g"],
        },
      },
      C: { Type: "AWS::Serverless::Function", IgnoreGlobals: "*", Properties: { Runtime: "python3.12" } },
      D: {
        Type: "AWS::Serverless::Function",
        IgnoreGlobals: ["Layers", "Timeout"],
        Properties: { Runtime: "nodejs20.x", Environment: { Variables: { TABLE: "t" } }, Handler: "d" },
      },
      T: { Type: "AWS::Serverless::SimpleTable", Properties: { SSESpecification: { SSEEnabled: true } } },
      Topic: { Type: "AWS::SNS::Topic", Properties: { TopicName: "t" } },
    });
  });

  it("leaves its input untouched", () => {
    const before = structuredClone(template);
    applySamGlobals(template);
    expect(template).toEqual(before);
  });

  it("reports an IgnoreGlobals item that is not a global property", () => {
    const { errors } = applySamGlobals({
      Globals: { Function: { Timeout: 3 } },
      Resources: { F: { Type: "AWS::Serverless::Function", IgnoreGlobals: ["MemorySize"] } },
    });
    expect(errors).toEqual([
      {
        logicalId: "F",
        path: "Resources.F.IgnoreGlobals",
        message: "Resource F has invalid resource attribute 'IgnoreGlobals' on item 'MemorySize'.",
      },
    ]);
  });
});
