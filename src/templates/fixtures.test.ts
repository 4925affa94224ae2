/** The sample templates in test/fixtures/templates, loaded and validated end to end. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadTemplate } from "./load-template.js";
import { planTemplate } from "./plan-template.js";
import type { TemplateError } from "./template-errors.js";
import { TEST_PSEUDO, testRegistry } from "./test-registry.case.js";
import { validateTemplate } from "./validate-template.js";

const registry = testRegistry();

function load(name: string) {
  const text = readFileSync(new URL(`../../test/fixtures/templates/${name}`, import.meta.url), "utf8");
  const result = loadTemplate(text);
  if (!result.ok) throw new Error(`${name}: ${JSON.stringify(result.errors)}`);
  return result.template;
}

/** Errors reduced to what a reader checks: where, and the start of what. */
const brief = (errors: TemplateError[]) => errors.map((e) => `${e.logicalId ?? "-"} ${e.path}: ${e.message}`);

describe("valid samples", () => {
  it.each(["sam-app.yaml", "cfn-app.json"])("%s validates cleanly", (name) => {
    expect(validateTemplate(load(name), { registry })).toEqual([]);
  });

  it("sam-app.yaml plans in dependency order with its condition applied", () => {
    const result = planTemplate(load("sam-app.yaml"), {
      registry,
      pseudo: TEST_PSEUDO,
      parameterValues: { Stage: "prod" },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const { plan } = result;
    expect(plan.resources.map((r) => r.logicalId)).toEqual([
      "OrdersTable",
      "OrdersFunction",
      "ReportFunction",
      "ApiKeyParameter",
    ]);
    expect(plan.conditions).toEqual({ IsProd: true, HasAlerts: false, ProdWithAlerts: false });
    expect(plan.noEchoParameters).toEqual(["ApiKey"]);
    expect(plan.outputs.map((o) => o.logicalId)).toEqual([
      "OrdersApi",
      "OrdersFunctionArn",
      "OrdersFunctionRole",
      "Zones",
    ]);
    const orders = plan.resources.find((r) => r.logicalId === "OrdersFunction");
    expect(orders?.properties.Runtime).toBe("nodejs20.x");
    expect(orders?.implicitResources.map((r) => r.logicalId)).toEqual([
      "OrdersFunctionRole",
      "ServerlessRestApi",
    ]);
  });

  it("cfn-app.json orders the role before the function before the rule", () => {
    const result = planTemplate(load("cfn-app.json"), { registry, pseudo: TEST_PSEUDO });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.plan.resources.map((r) => [r.logicalId, r.dependsOn])).toEqual([
      ["WorkerRole", []],
      ["Worker", ["WorkerRole"]],
      ["Rule", ["Worker"]],
    ]);
    expect(result.plan.deletionOrder).toEqual(["Rule", "Worker", "WorkerRole"]);
    expect(result.plan.resources[0]?.deletionPolicy).toBe("Retain");
  });
});

describe("invalid samples", () => {
  it("invalid-syntax.template fails to load with a line and column", () => {
    const result = loadTemplate(
      readFileSync(new URL("../../test/fixtures/templates/invalid-syntax.template", import.meta.url), "utf8"),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]).toMatchObject({ line: 6, column: 7 });
  });

  it.each<[string, string[]]>([
    [
      "invalid-unsupported-type.yaml",
      [
        "Queue Resources.Queue.Type: Unrecognized resource types: [AWS::SQS::Queue]; Jeff has no handler for this type",
      ],
    ],
    [
      "invalid-references.yaml",
      [
        "Topic Resources.Topic.Condition: Condition IsProd is not defined in the Conditions section",
        "Topic Resources.Topic.DependsOn: Unresolved resource dependencies [Missing] in the Resources block of the template",
        "Topic Resources.Topic.Properties.TopicName.Ref: Unresolved resource dependencies [Nowhere] in the Resources block of the template",
        "Topic Resources.Topic.Properties.DisplayName.Fn::GetAtt: resource Worker does not support attribute type Nope in Fn::GetAtt",
        "Topic Resources.Topic.Properties.Tags[0].Value.Fn::Sub: Unresolved resource dependencies [Ghost] in the Resources block of the template",
        "Worker Resources.Worker.Properties.Description.Fn::If: Condition IsDev used in Fn::If is not defined in the Conditions section",
        "Worker Resources.Worker.Properties.FunctionName.Fn::GetAtt: instance of Fn::GetAtt references undefined resource Stage",
        "Arn Outputs.Arn.Value.Fn::GetAtt: instance of Fn::GetAtt references undefined resource Absent",
      ],
    ],
    [
      "invalid-cycle.yaml",
      [
        "First Resources.First: Circular dependency between resources: [First, Second, Third]",
        "Loner Resources.Loner: Circular dependency between resources: [Loner]",
      ],
    ],
    [
      "invalid-globals.yaml",
      [
        "- Globals.Function.FunctionName: 'Globals' section is invalid. 'FunctionName' is not a supported property of 'Function'.",
        "- Globals.Queue: 'Globals' section is invalid. 'Queue' is not supported.",
        "Other Resources.Other.Properties.Runtime: Runtime is required",
        "Other Resources.Other.Properties.Handler: Handler is required",
      ],
    ],
    [
      "invalid-structure.yaml",
      [
        '- AWSTemplateFormatVersion: "2010-09-10" is not a valid template version',
        '- Transform: Transform "AWS::Include" is not supported',
        "- Outputz: Invalid template property or properties [Outputz]",
        "NullProperties Resources.NullProperties.Properties: 'null' values are not allowed in templates",
        "Count Parameters.Count.Type: Unrecognized parameter type: Integer",
        "my-topic Resources.my-topic: Resource name my-topic is non alphanumeric.",
        "NoType Resources.NoType.Type: Every Resources object must contain a Type member.",
        "BadAttribute Resources.BadAttribute.Tags: Invalid template resource property 'Tags'",
        'BadAttribute Resources.BadAttribute.DeletionPolicy: Unrecognized DeletionPolicy "Keep"',
        "Param Resources.Param.Properties.Value.Fn::Join: Fn::Join requires a list of 2 parameters",
        "Param Resources.Param.Properties.Type.Fn::Select: Fn::Select cannot select nonexistent value at index 5",
        "Param Resources.Param.Properties.Name.Fn::Nothing: Encountered unsupported function: Fn::Nothing",
      ],
    ],
  ])("%s", (name, expected) => {
    const errors = brief(validateTemplate(load(name), { registry }));
    for (const line of expected)
      expect(
        errors.some((e) => e.startsWith(line)),
        `${line}\n in \n${errors.join("\n")}`,
      ).toBe(true);
    expect(errors).toHaveLength(expected.length);
  });
});
