import { describe, expect, it } from "vitest";
import {
  type ParameterDefinition,
  parameterKind,
  readParameterDefinitions,
  resolveParameterValues,
} from "./parameters.js";

function definitions(section: Record<string, unknown>): ParameterDefinition[] {
  const { definitions, errors } = readParameterDefinitions(section);
  expect(errors).toEqual([]);
  return definitions;
}

describe("parameterKind", () => {
  it.each([
    ["String", "string"],
    ["Number", "number"],
    ["List<Number>", "number-list"],
    ["CommaDelimitedList", "list"],
    ["AWS::EC2::VPC::Id", "string"],
    ["List<AWS::EC2::Subnet::Id>", "list"],
    ["AWS::SSM::Parameter::Name", "string"],
    ["AWS::SSM::Parameter::Value<String>", "string"],
    ["AWS::SSM::Parameter::Value<List<String>>", "list"],
    ["AWS::SSM::Parameter::Value<CommaDelimitedList>", "list"],
    ["Strin", undefined],
    ["List<String>", undefined],
  ])("%s → %s", (type, kind) => {
    expect(parameterKind(type)).toBe(kind);
  });
});

describe("readParameterDefinitions", () => {
  it("reads every constraint, turning YAML numbers into the API's strings", () => {
    expect(
      definitions({
        Env: {
          Type: "String",
          Default: "dev",
          AllowedValues: ["dev", "prod"],
          Description: "stage",
          NoEcho: true,
        },
        Count: { Type: "Number", Default: 2, MinValue: 1, MaxValue: "10" },
      }),
    ).toEqual([
      {
        name: "Env",
        type: "String",
        kind: "string",
        default: "dev",
        allowedValues: ["dev", "prod"],
        description: "stage",
        noEcho: true,
      },
      {
        name: "Count",
        type: "Number",
        kind: "number",
        default: "2",
        minValue: 1,
        maxValue: 10,
        noEcho: false,
      },
    ]);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    [
      "a missing Type",
      { P: { Default: "x" } },
      "Parameters.P.Type",
      "Every Parameters object must contain a Type member.",
    ],
    ["an unknown Type", { P: { Type: "Strin" } }, "Parameters.P.Type", "Unrecognized parameter type: Strin"],
    [
      "an unknown property",
      { P: { Type: "String", Required: true } },
      "Parameters.P.Required",
      "Invalid template parameter property 'Required'",
    ],
    [
      "a non-alphanumeric name",
      { "my-param": { Type: "String" } },
      "Parameters.my-param",
      "Parameter name my-param is non alphanumeric.",
    ],
    [
      "a bad AllowedPattern",
      { P: { Type: "String", AllowedPattern: "([a-z" } },
      "Parameters.P.AllowedPattern",
      "Parameter P: AllowedPattern ([a-z is not a valid regular expression",
    ],
    [
      "a non-numeric MinLength",
      { P: { Type: "String", MinLength: "three" } },
      "Parameters.P.MinLength",
      'Parameter P: MinLength must be a number, not "three"',
    ],
    [
      "AllowedValues that are not a list",
      { P: { Type: "String", AllowedValues: "a" } },
      "Parameters.P.AllowedValues",
      "Parameter P: AllowedValues must be a list of strings",
    ],
    [
      "a definition that is not a map",
      { P: "String" },
      "Parameters.P",
      "Parameter P must be a map with a Type",
    ],
  ])("reports %s", (_name, section, path, message) => {
    expect(readParameterDefinitions(section).errors).toContainEqual({
      logicalId: path.split(".")[1],
      path,
      message,
    });
  });
});

describe("resolveParameterValues", () => {
  const defs = definitions({
    Env: { Type: "String", AllowedValues: ["dev", "prod"] },
    Name: { Type: "String", AllowedPattern: "[a-z]+", MinLength: 3, MaxLength: 8, Default: "orders" },
    Count: { Type: "Number", MinValue: 1, MaxValue: 10, Default: "2" },
    Ports: { Type: "List<Number>", Default: "80, 443", MaxValue: 65535 },
    Subnets: { Type: "CommaDelimitedList", Default: "a, b ,c" },
    Described: { Type: "String", AllowedValues: ["x"], ConstraintDescription: "must be x", Default: "x" },
  });

  it("uses defaults, splits and trims lists, and keeps numbers as strings", () => {
    expect(resolveParameterValues(defs, { Env: "prod" })).toEqual({
      values: {
        Env: "prod",
        Name: "orders",
        Count: "2",
        Ports: ["80", "443"],
        Subnets: ["a", "b", "c"],
        Described: "x",
      },
      errors: [],
    });
  });

  it("takes list values given as arrays", () => {
    expect(resolveParameterValues(defs, { Env: "dev", Subnets: ["x", " y "] }).values.Subnets).toEqual([
      "x",
      "y",
    ]);
  });

  it.each<[string, Record<string, string | string[]>, string, string]>([
    ["a missing value with no default", {}, "Parameters.Env", "Parameters: [Env] must have values"],
    [
      "a value outside AllowedValues",
      { Env: "qa" },
      "Parameters.Env",
      "Parameter 'Env' must be one of AllowedValues",
    ],
    [
      "a value not matching AllowedPattern (whole value)",
      { Env: "dev", Name: "orders1" },
      "Parameters.Name",
      "Parameter 'Name' must match pattern [a-z]+",
    ],
    [
      "a value shorter than MinLength",
      { Env: "dev", Name: "ab" },
      "Parameters.Name",
      "Parameter 'Name' must contain at least 3 characters",
    ],
    [
      "a value longer than MaxLength",
      { Env: "dev", Name: "abcdefghi" },
      "Parameters.Name",
      "Parameter 'Name' must contain at most 8 characters",
    ],
    [
      "a Number that is not a number",
      { Env: "dev", Count: "two" },
      "Parameters.Count",
      "Parameter 'Count' must be a number",
    ],
    [
      "a Number below MinValue",
      { Env: "dev", Count: "0" },
      "Parameters.Count",
      "Parameter 'Count' must be a number not less than 1",
    ],
    [
      "a Number above MaxValue",
      { Env: "dev", Count: "11" },
      "Parameters.Count",
      "Parameter 'Count' must be a number not greater than 10",
    ],
    [
      "a List<Number> member that is not a number",
      { Env: "dev", Ports: "80,http" },
      "Parameters.Ports",
      "Parameter 'Ports' must be a number",
    ],
    [
      "a List<Number> member above MaxValue",
      { Env: "dev", Ports: "80,70000" },
      "Parameters.Ports",
      "Parameter 'Ports' must be a number not greater than 65535",
    ],
    [
      "a ConstraintDescription replacing the message",
      { Env: "dev", Described: "y" },
      "Parameters.Described",
      "Parameter 'Described' failed to satisfy constraint: must be x",
    ],
    [
      "a list given for a String",
      { Env: ["dev"] },
      "Parameters.Env",
      "Parameter 'Env' must be a single value, not a list",
    ],
  ])("reports %s", (_name, inputs, path, message) => {
    const { errors } = resolveParameterValues(defs, inputs);
    expect(errors).toContainEqual({ logicalId: path.split(".")[1], path, message });
  });

  it("reports values for parameters the template does not declare", () => {
    expect(resolveParameterValues(defs, { Env: "dev", Stage: "x", Other: "y" }).errors).toEqual([
      { path: "Parameters", message: "Parameters: [Stage, Other] do not exist in the template" },
    ]);
  });

  it("accepts a number given with spaces and exponent, as CloudFormation does", () => {
    const [count] = definitions({ N: { Type: "Number", MaxValue: 1000 } });
    expect(resolveParameterValues([count!], { N: "1e2" }).errors).toEqual([]);
  });
});
