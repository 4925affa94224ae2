import { describe, expect, it } from "vitest";
import { loadTemplate } from "./load-template.js";

function loadValue(yaml: string): unknown {
  const result = loadTemplate(`Value: ${yaml}\n`);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.template.Value;
}

describe("loadTemplate: YAML short forms become long forms", () => {
  it.each([
    ["!Ref Bucket", { Ref: "Bucket" }],
    ["!Ref AWS::Region", { Ref: "AWS::Region" }],
    ["!GetAtt Queue.Arn", { "Fn::GetAtt": ["Queue", "Arn"] }],
    ["!GetAtt Db.Endpoint.Address", { "Fn::GetAtt": ["Db", "Endpoint.Address"] }],
    ["!GetAtt [Queue, Arn]", { "Fn::GetAtt": ["Queue", "Arn"] }],
    ["!Sub 'arn:${AWS::Partition}:s3:::${Bucket}'", { "Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}" }],
    ["!Sub ['${A}-${B}', {A: x, B: !Ref P}]", { "Fn::Sub": ["${A}-${B}", { A: "x", B: { Ref: "P" } }] }],
    ["!Join [',', [a, b]]", { "Fn::Join": [",", ["a", "b"]] }],
    ["!Select [1, [a, b]]", { "Fn::Select": [1, ["a", "b"]] }],
    ["!Split ['|', 'a|b']", { "Fn::Split": ["|", "a|b"] }],
    ["!If [IsProd, 1, 2]", { "Fn::If": ["IsProd", 1, 2] }],
    ["!Equals [!Ref Env, prod]", { "Fn::Equals": [{ Ref: "Env" }, "prod"] }],
    ["!And [!Condition A, !Condition B]", { "Fn::And": [{ Condition: "A" }, { Condition: "B" }] }],
    ["!Or [!Condition A, !Condition B]", { "Fn::Or": [{ Condition: "A" }, { Condition: "B" }] }],
    ["!Not [!Condition A]", { "Fn::Not": [{ Condition: "A" }] }],
    ["!FindInMap [Map, !Ref AWS::Region, Ami]", { "Fn::FindInMap": ["Map", { Ref: "AWS::Region" }, "Ami"] }],
    ["!Base64 hello", { "Fn::Base64": "hello" }],
    ["!GetAZs ''", { "Fn::GetAZs": "" }],
    ["!ImportValue SharedVpc", { "Fn::ImportValue": "SharedVpc" }],
    ["!Cidr ['10.0.0.0/16', 4, 8]", { "Fn::Cidr": ["10.0.0.0/16", 4, 8] }],
    ["!Condition IsProd", { Condition: "IsProd" }],
  ])("%s", (yaml, expected) => {
    expect(loadValue(yaml)).toEqual(expected);
  });

  it("converts nested short forms inside sequences and block scalars", () => {
    const result = loadTemplate(
      [
        "Value:",
        "  A: !Join",
        "    - ''",
        "    - - !Sub 'arn:${AWS::Partition}:sqs'",
        "      - !Ref Queue",
        "  B: !If [HasName, !Ref Name, !Ref AWS::NoValue]",
        "  C: !Select [0, !Split [',', !Ref List]]",
        "  D: !Sub |",
        "    echo ${!Literal} ${AWS::Region}",
        "  E: !Base64",
        "    Fn::Sub: x-${AWS::StackName}",
        "",
      ].join("\n"),
    );
    expect(result).toEqual({
      ok: true,
      format: "yaml",
      template: {
        Value: {
          A: { "Fn::Join": ["", [{ "Fn::Sub": "arn:${AWS::Partition}:sqs" }, { Ref: "Queue" }]] },
          B: { "Fn::If": ["HasName", { Ref: "Name" }, { Ref: "AWS::NoValue" }] },
          C: { "Fn::Select": [0, { "Fn::Split": [",", { Ref: "List" }] }] },
          D: { "Fn::Sub": "echo ${!Literal} ${AWS::Region}\n" },
          E: { "Fn::Base64": { "Fn::Sub": "x-${AWS::StackName}" } },
        },
      },
    });
  });

  it("keeps YAML 1.2 scalars: dates and yes/no stay strings, numbers stay numbers", () => {
    const result = loadTemplate("AWSTemplateFormatVersion: 2010-09-09\nA: yes\nB: 30\nC: '30'\n200: key\n");
    expect(result).toEqual({
      ok: true,
      format: "yaml",
      template: { AWSTemplateFormatVersion: "2010-09-09", A: "yes", B: 30, C: "30", "200": "key" },
    });
  });

  it("keeps __proto__ as an ordinary key", () => {
    const result = loadTemplate("__proto__: {polluted: true}\n");
    expect(result.ok && Object.hasOwn(result.template, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("loadTemplate: JSON", () => {
  it("parses JSON templates as they are", () => {
    const text = JSON.stringify({
      Resources: {
        T: { Type: "AWS::SNS::Topic", Properties: { TopicName: { "Fn::Sub": "${AWS::StackName}" } } },
      },
    });
    expect(loadTemplate(text)).toEqual({ ok: true, format: "json", template: JSON.parse(text) });
  });

  it("reports a JSON syntax error with its line and column", () => {
    const result = loadTemplate('{\n  "Resources": {\n    "A": 1,\n  }\n}');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ line: 4, column: 3 });
    expect(result.errors[0]?.message).toMatch(/^JSON syntax error/);
  });
});

describe("loadTemplate: errors", () => {
  it.each([
    ["a YAML syntax error", "Resources:\n  A: [1, 2\nB: c\n", /YAML syntax error/, 3, 1],
    ["an unknown tag", "Resources:\n  A: !Reff Thing\n", /Unknown tag !Reff/, 2, 6],
    ["a YAML alias", "A: &anchor x\nB: *anchor\n", /aliases are not allowed/, 2, 4],
    ["duplicate keys", "A: 1\nA: 2\n", /Map keys must be unique/, 2, 1],
    ["a top level that is not a mapping", "- a\n- b\n", /unsupported structure/, 1, 1],
    ["an empty document", "", /unsupported structure/, 1, 1],
  ])("reports %s with line and column", (_name, text, message, line, column) => {
    const result = loadTemplate(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]?.message).toMatch(message);
    expect(result.errors[0]).toMatchObject({ line, column });
  });
});

describe("loadTemplate: every JSON syntax error has a position", () => {
  it.each([
    ['{"a": tru}', 1, 10, /Unexpected token/],
    ['{"a": 1', 1, 8, /Unexpected end|Expected/],
    ['{\n  "a": "x\ty"\n}', 2, 10, /control character/],
    ['{"a": 1} x', 1, 10, /non-whitespace/],
    ["{'a': 1}", 1, 2, /property name|Unexpected token/],
    ['{"a": [1, 2,]}', 1, 13, /Unexpected token|Expected/],
    ['{"a": 01}', 1, 8, /Expected|Unexpected/],
  ])("%s", (text, line, column, message) => {
    const result = loadTemplate(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]).toMatchObject({ line, column });
    expect(result.errors[0]?.message).toMatch(message);
  });
});
