import { describe, expect, it } from "vitest";
import { testRegistry } from "./test-registry.case.js";
import { validateTemplate } from "./validate-template.js";

const registry = testRegistry();
const SAM = "AWS::Serverless-2016-10-31";
const topic = { Type: "AWS::SNS::Topic" };
const withResources = (resources: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({
  ...rest,
  Resources: resources,
});

describe("validateTemplate accepts", () => {
  it.each<[string, unknown]>([
    ["a minimal template", withResources({ T: topic })],
    [
      "pseudo parameters everywhere",
      withResources({
        T: {
          ...topic,
          Properties: { TopicName: { "Fn::Sub": "${AWS::StackName}-${AWS::AccountId}-${AWS::Partition}" } },
        },
      }),
    ],
    [
      "a custom resource with any attribute",
      withResources({
        C: { Type: "Custom::Thing" },
        T: { ...topic, Properties: { TopicName: { "Fn::GetAtt": ["C", "Anything.At.All"] } } },
      }),
    ],
    [
      "a nested stack output attribute",
      withResources({
        S: { Type: "AWS::CloudFormation::Stack" },
        T: { ...topic, Properties: { TopicName: { "Fn::GetAtt": ["S", "Outputs.Name"] } } },
      }),
    ],
    [
      "a computed GetAtt attribute",
      withResources({
        T: topic,
        U: { ...topic, Properties: { TopicName: { "Fn::GetAtt": ["T", { Ref: "AWS::Region" }] } } },
      }),
    ],
    [
      "ImportValue (resolved at deploy time)",
      withResources({ T: { ...topic, Properties: { TopicName: { "Fn::ImportValue": "Shared" } } } }),
    ],
    [
      "Sub variables that shadow nothing",
      withResources({
        T: { ...topic, Properties: { TopicName: { "Fn::Sub": ["${Local}", { Local: "x" }] } } },
      }),
    ],
    [
      "IAM Condition blocks as data",
      withResources({
        T: { ...topic, Properties: { Policy: { Condition: { StringEquals: { "aws:x": "y" } } } } },
      }),
    ],
    [
      "a SAM-generated role named in DependsOn and GetAtt",
      {
        Transform: SAM,
        Resources: {
          Fn: { Type: "AWS::Serverless::Function", Properties: { Runtime: "nodejs20.x", Handler: "i.h" } },
          T: {
            ...topic,
            DependsOn: "FnRole",
            Properties: { TopicName: { "Fn::GetAtt": ["FnRole", "Arn"] } },
          },
        },
      },
    ],
    ["Transform as a list", { Transform: [SAM], Resources: { T: topic } }],
    ["Rules, accepted and not evaluated", { Rules: { R: { Assertions: [] } }, Resources: { T: topic } }],
    [
      "a FindInMap with a DefaultValue for a missing key",
      {
        Mappings: { M: { a: { b: "c" } } },
        Resources: {
          T: {
            ...topic,
            Properties: { TopicName: { "Fn::FindInMap": ["M", "x", "y", { DefaultValue: "d" }] } },
          },
        },
      },
    ],
  ])("%s", (_name, template) => {
    expect(validateTemplate(template, { registry })).toEqual([]);
  });
});

describe("validateTemplate reports, naming the logical id and the path", () => {
  it.each<[string, unknown, { logicalId?: string; path: string; message: string }]>([
    ["a template that is not a map", ["a"], { path: "", message: "unsupported structure" }],
    [
      "no Resources",
      { Description: "x" },
      { path: "Resources", message: "At least one Resources member must be defined." },
    ],
    [
      "empty Resources",
      { Resources: {} },
      { path: "Resources", message: "At least one Resources member must be defined." },
    ],
    [
      "a Description that is too long",
      withResources({ T: topic }, { Description: "x".repeat(1025) }),
      { path: "Description", message: "'Description' length is greater than 1024." },
    ],
    [
      "Globals without the SAM transform",
      withResources({ T: topic }, { Globals: { Function: { Timeout: 3 } } }),
      { path: "Globals", message: `The Globals section needs Transform: ${SAM}` },
    ],
    [
      "a SAM type without the transform",
      withResources({ Fn: { Type: "AWS::Serverless::Function" } }),
      {
        logicalId: "Fn",
        path: "Resources.Fn.Type",
        message: "Unrecognized resource types: [AWS::Serverless::Function]; SAM resources need Transform",
      },
    ],
    [
      "an unsupported type, by name",
      withResources({ Q: { Type: "AWS::SQS::Queue" } }),
      { logicalId: "Q", path: "Resources.Q.Type", message: "Unrecognized resource types: [AWS::SQS::Queue]" },
    ],
    [
      "a Properties that is a list",
      withResources({ T: { ...topic, Properties: [] } }),
      { logicalId: "T", path: "Resources.T.Properties", message: "Every Properties member must be a map" },
    ],
    [
      "a DependsOn that is a map",
      withResources({ T: { ...topic, DependsOn: { A: 1 } } }),
      { logicalId: "T", path: "Resources.T.DependsOn", message: "DependsOn must be a logical id or a list" },
    ],
    [
      "IgnoreGlobals on a non-SAM resource",
      withResources({ T: { ...topic, IgnoreGlobals: "*" } }),
      {
        logicalId: "T",
        path: "Resources.T.IgnoreGlobals",
        message: "Invalid template resource property 'IgnoreGlobals'",
      },
    ],
    [
      "a parameter and a resource with one id",
      withResources({ T: topic }, { Parameters: { T: { Type: "String" } } }),
      { logicalId: "T", path: "Resources.T", message: "declared as both a parameter and a resource" },
    ],
    [
      "a Ref to an unknown pseudo parameter",
      withResources({ T: { ...topic, Properties: { A: { Ref: "AWS::Nope" } } } }),
      {
        logicalId: "T",
        path: "Resources.T.Properties.A.Ref",
        message: "Unresolved resource dependencies [AWS::Nope]",
      },
    ],
    [
      "a GetAtt of a parameter",
      withResources(
        { T: { ...topic, Properties: { A: { "Fn::GetAtt": ["P", "Arn"] } } } },
        { Parameters: { P: { Type: "String" } } },
      ),
      {
        logicalId: "T",
        path: "Resources.T.Properties.A.Fn::GetAtt",
        message: "instance of Fn::GetAtt references undefined resource P",
      },
    ],
    [
      "a GetAtt attribute the type lacks, in Sub",
      withResources({ T: { ...topic, Properties: { A: { "Fn::Sub": "${T.Arn}" } } } }),
      {
        logicalId: "T",
        path: "Resources.T.Properties.A.Fn::Sub",
        message: "resource T does not support attribute type Arn in Fn::GetAtt",
      },
    ],
    [
      "a nested stack attribute outside Outputs",
      withResources({
        S: { Type: "AWS::CloudFormation::Stack" },
        T: { ...topic, Properties: { A: { "Fn::GetAtt": ["S", "Arn"] } } },
      }),
      {
        logicalId: "T",
        path: "Resources.T.Properties.A.Fn::GetAtt",
        message: "resource S does not support attribute type Arn",
      },
    ],
    [
      "a malformed GetAtt",
      withResources({ T: { ...topic, Properties: { A: { "Fn::GetAtt": "T" } } } }),
      {
        logicalId: "T",
        path: "Resources.T.Properties.A.Fn::GetAtt",
        message: "every Fn::GetAtt object requires two non-empty parameters",
      },
    ],
    [
      "a Ref of a list",
      withResources({ T: { ...topic, Properties: { A: { Ref: ["T"] } } } }),
      {
        logicalId: "T",
        path: "Resources.T.Properties.A.Ref",
        message: "Every Ref object must have a single String value.",
      },
    ],
    [
      "a Ref mixed with other keys",
      withResources({ T: { ...topic, Properties: { A: { Ref: "AWS::Region", Extra: 1 } } } }),
      {
        logicalId: "T",
        path: "Resources.T.Properties.A.Ref",
        message: "Ref must be the only key of its object, but the object also has [Extra]",
      },
    ],
    [
      "a Sub variable with spaces",
      withResources({ T: { ...topic, Properties: { A: { "Fn::Sub": "${ AWS::Region }" } } } }),
      {
        logicalId: "T",
        path: "Resources.T.Properties.A.Fn::Sub",
        message: "Fn::Sub: variable names in Fn::Sub syntax must contain only alphanumeric characters",
      },
    ],
    [
      "a Sub whose template is a call",
      withResources({ T: { ...topic, Properties: { A: { "Fn::Sub": { Ref: "AWS::Region" } } } } }),
      { logicalId: "T", path: "Resources.T.Properties.A.Fn::Sub", message: "must be a literal string" },
    ],
    [
      "a Split with a computed delimiter",
      withResources({ T: { ...topic, Properties: { A: { "Fn::Split": [{ Ref: "AWS::Region" }, "a"] } } } }),
      {
        logicalId: "T",
        path: "Resources.T.Properties.A.Fn::Split",
        message: "the delimiter must be a literal string",
      },
    ],
    [
      "an And with eleven conditions",
      {
        Conditions: { C: { "Fn::Equals": ["a", "a"] }, D: { "Fn::And": Array(11).fill({ Condition: "C" }) } },
        Resources: { T: topic },
      },
      {
        logicalId: "D",
        path: "Conditions.D.Fn::And",
        message: "Fn::And requires a list of 2 to 10 parameters",
      },
    ],
    [
      "a FindInMap of a missing mapping",
      withResources({ T: { ...topic, Properties: { A: { "Fn::FindInMap": ["Nope", "a", "b"] } } } }),
      {
        logicalId: "T",
        path: "Resources.T.Properties.A.Fn::FindInMap",
        message: "Mapping named Nope is not present",
      },
    ],
    [
      "a FindInMap of missing literal keys",
      withResources(
        { T: { ...topic, Properties: { A: { "Fn::FindInMap": ["M", "a", "z"] } } } },
        { Mappings: { M: { a: { b: "c" } } } },
      ),
      {
        logicalId: "T",
        path: "Resources.T.Properties.A.Fn::FindInMap",
        message: "Unable to get mapping for M::a::z",
      },
    ],
    [
      "a mapping value that is a map",
      withResources({ T: topic }, { Mappings: { M: { a: { b: { c: 1 } } } } }),
      {
        logicalId: "M",
        path: "Mappings.M.a.b",
        message: "Every Mappings attribute must be a String or a List.",
      },
    ],
    [
      "a condition referring to a resource",
      withResources({ T: topic }, { Conditions: { C: { "Fn::Equals": [{ Ref: "T" }, "x"] } } }),
      {
        logicalId: "C",
        path: "Conditions.C.Fn::Equals[0].Ref",
        message: "Cannot reference resources in the Conditions block",
      },
    ],
    [
      "Fn::If in the Conditions section",
      withResources(
        { T: topic },
        { Conditions: { C: { "Fn::Equals": [{ "Fn::If": ["C", "a", "b"] }, "a"] } } },
      ),
      {
        logicalId: "C",
        path: "Conditions.C.Fn::Equals[0].Fn::If",
        message: "Fn::If cannot be used in the Conditions section",
      },
    ],
    [
      "a condition that is a string",
      withResources({ T: topic }, { Conditions: { C: "yes" } }),
      { logicalId: "C", path: "Conditions.C", message: "a condition must be a condition function" },
    ],
    [
      "a loop among conditions",
      withResources(
        { T: topic },
        { Conditions: { A: { "Fn::Not": [{ Condition: "B" }] }, B: { "Fn::Not": [{ Condition: "A" }] } } },
      ),
      { logicalId: "A", path: "Conditions.A", message: "Circular dependency between conditions: [A, B]" },
    ],
    [
      "an output without a Value",
      withResources({ T: topic }, { Outputs: { O: { Description: "x" } } }),
      { logicalId: "O", path: "Outputs.O", message: "Every Outputs member must contain a Value object" },
    ],
    [
      "an unknown output property",
      withResources({ T: topic }, { Outputs: { O: { Value: "x", Exports: {} } } }),
      { logicalId: "O", path: "Outputs.O.Exports", message: "Invalid output property 'Exports'" },
    ],
    [
      "an Export without a Name",
      withResources({ T: topic }, { Outputs: { O: { Value: "x", Export: { Value: "y" } } } }),
      {
        logicalId: "O",
        path: "Outputs.O.Export",
        message: "Export of output O must be a map with only a Name",
      },
    ],
    [
      "an output Condition that is not defined",
      withResources({ T: topic }, { Outputs: { O: { Value: "x", Condition: "C" } } }),
      { logicalId: "O", path: "Outputs.O.Condition", message: "Condition C is not defined" },
    ],
    [
      "an Export Name naming nothing",
      withResources({ T: topic }, { Outputs: { O: { Value: "x", Export: { Name: { Ref: "Nope" } } } } }),
      {
        logicalId: "O",
        path: "Outputs.O.Export.Name.Ref",
        message: "Unresolved resource dependencies [Nope] in the Outputs block of the template",
      },
    ],
    [
      "a null output",
      withResources({ T: topic }, { Outputs: { O: null } }),
      { logicalId: "O", path: "Outputs.O", message: "'null' values are not allowed in templates" },
    ],
    [
      "a resource that refers to itself",
      withResources({ T: { ...topic, Properties: { TopicName: { "Fn::GetAtt": ["T", "TopicName"] } } } }),
      { logicalId: "T", path: "Resources.T", message: "Circular dependency between resources: [T]" },
    ],
    [
      "a cycle through Metadata",
      withResources({ A: { ...topic, Metadata: { X: { Ref: "B" } } }, B: { ...topic, DependsOn: "A" } }),
      { logicalId: "A", path: "Resources.A", message: "Circular dependency between resources: [A, B]" },
    ],
    [
      "more than 500 resources",
      withResources(Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`T${i}`, topic]))),
      { path: "Resources", message: "Resources count 501 is greater than the maximum 500" },
    ],
  ])("%s", (_name, template, expected) => {
    const errors = validateTemplate(template, { registry });
    const found = errors.find((e) => e.path === expected.path && e.message.includes(expected.message));
    expect(found, JSON.stringify(errors, null, 1)).toBeDefined();
    expect(found?.logicalId).toBe(expected.logicalId);
  });
});

describe("validateTemplate with parameter values", () => {
  const template = withResources(
    { T: topic },
    {
      Parameters: {
        Env: { Type: "String", AllowedValues: ["dev", "prod"] },
        Size: { Type: "Number", Default: "1" },
      },
    },
  );

  it("checks values only when they are given", () => {
    expect(validateTemplate(template, { registry })).toEqual([]);
  });

  it("reports missing values and broken constraints, naming the parameter", () => {
    expect(validateTemplate(template, { registry, parameterValues: {} })).toEqual([
      { logicalId: "Env", path: "Parameters.Env", message: "Parameters: [Env] must have values" },
    ]);
    expect(validateTemplate(template, { registry, parameterValues: { Env: "qa", Size: "x" } })).toEqual([
      { logicalId: "Env", path: "Parameters.Env", message: "Parameter 'Env' must be one of AllowedValues" },
      { logicalId: "Size", path: "Parameters.Size", message: "Parameter 'Size' must be a number" },
    ]);
  });
});

describe("validateProperties hooks", () => {
  it("are called with the merged properties and their path, and their errors carry the logical id", () => {
    const errors = validateTemplate(
      withResources({ P: { Type: "AWS::SSM::Parameter", Properties: { Type: "String" } } }),
      { registry },
    );
    expect(errors).toEqual([
      { logicalId: "P", path: "Resources.P.Properties.Value", message: "Value is required" },
    ]);
  });

  it("see properties that came from Globals", () => {
    const template = {
      Transform: SAM,
      Globals: { Function: { Runtime: "nodejs20.x" } },
      Resources: { F: { Type: "AWS::Serverless::Function", Properties: { Handler: "i.h" } } },
    };
    expect(validateTemplate(template, { registry })).toEqual([]);
  });
});
