import { describe, expect, it } from "vitest";
import { resolveValue } from "./intrinsics.js";
import { createResolveContext, planTemplate, resolveOutputs, type TemplatePlan } from "./plan-template.js";
import { TEST_PSEUDO, testRegistry } from "./test-registry.case.js";

const registry = testRegistry();
const SAM = "AWS::Serverless-2016-10-31";

function plan(template: unknown, parameterValues: Record<string, string> = {}): TemplatePlan {
  const result = planTemplate(template, { registry, pseudo: TEST_PSEUDO, parameterValues });
  if (!result.ok) throw new Error(JSON.stringify(result.errors, null, 1));
  return result.plan;
}

const ids = (p: TemplatePlan) => p.resources.map((r) => r.logicalId);

describe("planTemplate: dependency order", () => {
  it("puts each resource after everything it Refs, GetAtts, Subs or DependsOn, ties in template order", () => {
    const p = plan({
      Resources: {
        Rule: {
          Type: "AWS::Events::Rule",
          Properties: { Targets: [{ Arn: { "Fn::GetAtt": ["Fn", "Arn"] } }] },
        },
        Alarm: { Type: "AWS::SNS::Topic" },
        Fn: {
          Type: "AWS::Lambda::Function",
          Properties: { Role: { "Fn::Sub": "${Role.Arn}" }, Description: { Ref: "Topic" } },
        },
        Topic: { Type: "AWS::SNS::Topic", DependsOn: ["Alarm"] },
        Role: { Type: "AWS::IAM::Role" },
        Waiter: { Type: "AWS::CloudFormation::WaitConditionHandle", Metadata: { After: { Ref: "Rule" } } },
      },
    });
    expect(ids(p)).toEqual(["Alarm", "Topic", "Role", "Fn", "Rule", "Waiter"]);
    expect(p.resources.map((r) => [r.logicalId, r.dependsOn])).toEqual([
      ["Alarm", []],
      ["Topic", ["Alarm"]],
      ["Role", []],
      ["Fn", ["Role", "Topic"]],
      ["Rule", ["Fn"]],
      ["Waiter", ["Rule"]],
    ]);
    expect(p.deletionOrder).toEqual(["Waiter", "Rule", "Fn", "Role", "Topic", "Alarm"]);
  });

  it("treats a reference to a SAM-generated id as a dependency on the resource that generates it", () => {
    const p = plan({
      Transform: SAM,
      Resources: {
        Topic: { Type: "AWS::SNS::Topic", Properties: { DisplayName: { "Fn::GetAtt": ["FnRole", "Arn"] } } },
        Fn: { Type: "AWS::Serverless::Function", Properties: { Runtime: "nodejs20.x", Handler: "i.h" } },
      },
    });
    expect(p.resources.map((r) => [r.logicalId, r.dependsOn])).toEqual([
      ["Fn", []],
      ["Topic", ["Fn"]],
    ]);
    expect(p.resources[0]?.implicitResources).toEqual([{ logicalId: "FnRole", type: "AWS::IAM::Role" }]);
  });

  it("reports the members of a cycle instead of planning", () => {
    const result = planTemplate(
      {
        Resources: {
          A: { Type: "AWS::SNS::Topic", DependsOn: "B" },
          B: { Type: "AWS::SNS::Topic", DependsOn: "A" },
        },
      },
      { registry, pseudo: TEST_PSEUDO },
    );
    expect(result).toEqual({
      ok: false,
      errors: [
        { logicalId: "A", path: "Resources.A", message: "Circular dependency between resources: [A, B]" },
      ],
    });
  });
});

describe("planTemplate: parameters, conditions and Globals", () => {
  const template = {
    Transform: SAM,
    Parameters: {
      Env: { Type: "String", AllowedValues: ["dev", "prod"] },
      Zones: { Type: "CommaDelimitedList", Default: "a,b" },
    },
    Conditions: {
      IsProd: { "Fn::Equals": [{ Ref: "Env" }, "prod"] },
      IsDev: { "Fn::Not": [{ Condition: "IsProd" }] },
    },
    Globals: { Function: { Runtime: "nodejs20.x", Environment: { Variables: { ENV: { Ref: "Env" } } } } },
    Resources: {
      ProdTopic: { Type: "AWS::SNS::Topic", Condition: "IsProd" },
      Fn: {
        Type: "AWS::Serverless::Function",
        Properties: {
          Handler: "i.h",
          Environment: {
            Variables: { TOPIC: { "Fn::If": ["IsProd", { Ref: "ProdTopic" }, { Ref: "AWS::NoValue" }] } },
          },
        },
      },
    },
    Outputs: {
      Topic: { Condition: "IsProd", Value: { Ref: "ProdTopic" } },
      Zones: { Value: { Ref: "Zones" }, Description: "zones" },
    },
  };

  it("plans the conditional resource when its condition holds, with the dependency from the taken branch", () => {
    const p = plan(template, { Env: "prod" });
    expect(p.parameters).toEqual({ Env: "prod", Zones: ["a", "b"] });
    expect(p.conditions).toEqual({ IsProd: true, IsDev: false });
    expect(ids(p)).toEqual(["ProdTopic", "Fn"]);
    expect(p.resources[1]?.dependsOn).toEqual(["ProdTopic"]);
    expect(p.resources[0]?.condition).toBe("IsProd");
    expect(p.outputs.map((o) => o.logicalId)).toEqual(["Topic", "Zones"]);
  });

  it("leaves out resources and outputs whose condition is false; a reference in the untaken branch is no dependency", () => {
    const p = plan(template, { Env: "dev" });
    expect(ids(p)).toEqual(["Fn"]);
    expect(p.resources[0]?.dependsOn).toEqual([]);
    expect(p.outputs.map((o) => o.logicalId)).toEqual(["Zones"]);
  });

  it("keeps properties unresolved, with Globals merged in", () => {
    const p = plan(template, { Env: "dev" });
    expect(p.resources[0]?.properties).toEqual({
      Runtime: "nodejs20.x",
      Handler: "i.h",
      Environment: {
        Variables: {
          ENV: { Ref: "Env" },
          TOPIC: { "Fn::If": ["IsProd", { Ref: "ProdTopic" }, { Ref: "AWS::NoValue" }] },
        },
      },
    });
  });

  it("fails with the parameter errors when values are missing or wrong", () => {
    expect(planTemplate(template, { registry, pseudo: TEST_PSEUDO })).toEqual({
      ok: false,
      errors: [{ logicalId: "Env", path: "Parameters.Env", message: "Parameters: [Env] must have values" }],
    });
    expect(
      planTemplate(template, { registry, pseudo: TEST_PSEUDO, parameterValues: { Env: "qa" } }),
    ).toMatchObject({
      ok: false,
      errors: [{ message: "Parameter 'Env' must be one of AllowedValues" }],
    });
  });
});

describe("planTemplate: references to resources that are left out", () => {
  const base = {
    Parameters: { On: { Type: "String", Default: "false" } },
    Conditions: { Enabled: { "Fn::Equals": [{ Ref: "On" }, "true"] } },
  };
  it.each<[string, Record<string, unknown>, string, string]>([
    [
      "a Ref outside Fn::If",
      {
        Resources: {
          Opt: { Type: "AWS::SNS::Topic", Condition: "Enabled" },
          User: { Type: "AWS::SNS::Topic", Properties: { DisplayName: { Ref: "Opt" } } },
        },
      },
      "Resources.User.Properties.DisplayName.Ref",
      "Unresolved resource dependencies [Opt] in the Resources block of the template",
    ],
    [
      "a DependsOn",
      {
        Resources: {
          Opt: { Type: "AWS::SNS::Topic", Condition: "Enabled" },
          User: { Type: "AWS::SNS::Topic", DependsOn: "Opt" },
        },
      },
      "Resources.User.DependsOn",
      "Unresolved resource dependencies [Opt] in the Resources block of the template",
    ],
    [
      "an output without the condition",
      {
        Resources: {
          Opt: { Type: "AWS::SNS::Topic", Condition: "Enabled" },
          Keep: { Type: "AWS::SNS::Topic" },
        },
        Outputs: { O: { Value: { "Fn::Sub": "${Opt}" } } },
      },
      "Outputs.O.Value.Fn::Sub",
      "Unresolved resource dependencies [Opt] in the Outputs block of the template",
    ],
  ])("%s is an error", (_name, rest, path, message) => {
    const result = planTemplate({ ...base, ...rest }, { registry, pseudo: TEST_PSEUDO });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors).toContainEqual(expect.objectContaining({ path, message }));
  });

  it("reports a condition that cannot be evaluated with its path", () => {
    const result = planTemplate(
      {
        Parameters: { Env: { Type: "String", Default: "qa" } },
        Mappings: { M: { prod: { On: "true" } } },
        Conditions: { C: { "Fn::Equals": [{ "Fn::FindInMap": ["M", { Ref: "Env" }, "On"] }, "true"] } },
        Resources: { T: { Type: "AWS::SNS::Topic" } },
      },
      { registry, pseudo: TEST_PSEUDO },
    );
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          logicalId: "C",
          path: "Conditions.C.Fn::Equals[0].Fn::FindInMap",
          message: "Unable to get mapping for M::qa::On",
        },
      ],
    });
  });
});

describe("resolving a plan the way the engine will", () => {
  it("resolves each resource's properties from its dependencies' results, then the outputs", () => {
    const p = plan({
      Parameters: { Names: { Type: "CommaDelimitedList", Default: "x,y" } },
      Resources: {
        Role: { Type: "AWS::IAM::Role" },
        Fn: {
          Type: "AWS::Lambda::Function",
          Properties: {
            Role: { "Fn::GetAtt": ["Role", "Arn"] },
            FunctionName: {
              "Fn::Join": ["-", [{ Ref: "AWS::StackName" }, { "Fn::Select": [1, { Ref: "Names" }] }]],
            },
          },
        },
      },
      Outputs: {
        FnArn: {
          Value: { "Fn::GetAtt": ["Fn", "Arn"] },
          Export: { Name: { "Fn::Sub": "${AWS::StackName}-fn" } },
          Description: "the function",
        },
        Zones: { Value: { "Fn::GetAZs": "" } },
      },
    });
    const created = new Map<string, { physicalId: string; attributes: Record<string, unknown> }>();
    const ctx = createResolveContext(p, {
      resolveResourceRef: (id) =>
        created.get(id)?.physicalId ??
        (() => {
          throw new Error(`${id} is not created yet`);
        })(),
      resolveGetAtt: (id, attribute) => created.get(id)?.attributes[attribute],
    });
    const resolved: Record<string, unknown> = {};
    for (const resource of p.resources) {
      resolved[resource.logicalId] = resolveValue(
        resource.properties,
        ctx,
        `Resources.${resource.logicalId}.Properties`,
      );
      created.set(resource.logicalId, {
        physicalId: `${resource.logicalId}-id`,
        attributes: { Arn: `arn:${resource.logicalId}` },
      });
    }
    expect(resolved).toEqual({ Role: {}, Fn: { Role: "arn:Role", FunctionName: "demo-y" } });
    expect(resolveOutputs(p, ctx)).toEqual([
      { OutputKey: "FnArn", OutputValue: "arn:Fn", Description: "the function", ExportName: "demo-fn" },
      { OutputKey: "Zones", OutputValue: "eu-west-1a,eu-west-1b,eu-west-1c" },
    ]);
  });
});
