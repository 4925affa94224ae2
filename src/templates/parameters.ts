/**
 * The Parameters section: reading definitions, and turning the values a deploy supplies (or the
 * defaults) into what `Ref` returns. Values are strings as on the CloudFormation API; `Ref` of a
 * Number parameter is a string too (CloudFormation documents this), and list types give arrays.
 *
 * AWS-specific types (`AWS::EC2::VPC::Id`, `List<AWS::EC2::Subnet::Id>`) and SSM types
 * (`AWS::SSM::Parameter::Value<String>`) are accepted as String- or list-like: Jeff has no EC2
 * inventory to check them against and no SSM store to read, so the value given is the value used.
 */
import { childPath, describeValue, isPlainObject, ownValue, setOwn } from "./json-values.js";
import { type TemplateError, templateError } from "./template-errors.js";

export type ParameterValue = string | readonly string[];
/** What a deploy may pass: the API's strings, or arrays for list types. */
export type ParameterInputs = Readonly<Record<string, string | readonly string[]>>;

export type ParameterKind = "string" | "number" | "list" | "number-list";

export interface ParameterDefinition {
  readonly name: string;
  readonly type: string;
  readonly kind: ParameterKind;
  readonly default?: string;
  readonly description?: string;
  readonly allowedValues?: readonly string[];
  readonly allowedPattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minValue?: number;
  readonly maxValue?: number;
  readonly constraintDescription?: string;
  readonly noEcho: boolean;
}

const PARAMETER_KEYS = new Set([
  "Type",
  "Default",
  "Description",
  "AllowedValues",
  "AllowedPattern",
  "MinLength",
  "MaxLength",
  "MinValue",
  "MaxValue",
  "ConstraintDescription",
  "NoEcho",
]);

export const MAX_PARAMETERS = 200;
const LOGICAL_ID = /^[A-Za-z0-9]+$/;

export function parameterKind(type: string): ParameterKind | undefined {
  switch (type) {
    case "String":
      return "string";
    case "Number":
      return "number";
    case "List<Number>":
      return "number-list";
    case "CommaDelimitedList":
      return "list";
  }
  const ssm = /^AWS::SSM::Parameter::Value<(.+)>$/.exec(type);
  if (ssm !== null) {
    const inner = ssm[1]!;
    return inner === "CommaDelimitedList" || inner.startsWith("List<") ? "list" : "string";
  }
  if (type === "AWS::SSM::Parameter::Name") return "string";
  if (/^List<AWS::[A-Za-z0-9]+(::[A-Za-z0-9]+)+>$/.test(type)) return "list";
  if (/^AWS::[A-Za-z0-9]+(::[A-Za-z0-9]+)+$/.test(type)) return "string";
  return undefined;
}

/** Scalars in a template (YAML `Default: 30`) become the strings the API would have carried. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function numberOrUndefined(value: unknown): number | undefined {
  const text = scalarText(value);
  return text !== undefined && isNumeric(text) ? Number(text) : undefined;
}

export function isNumeric(text: string): boolean {
  return /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(text);
}

export function readParameterDefinitions(section: unknown): {
  definitions: ParameterDefinition[];
  errors: TemplateError[];
} {
  const definitions: ParameterDefinition[] = [];
  const errors: TemplateError[] = [];
  if (section === undefined) return { definitions, errors };
  if (!isPlainObject(section)) {
    errors.push(templateError("Parameters", "The Parameters section must be a map of parameter definitions"));
    return { definitions, errors };
  }
  const names = Object.keys(section);
  if (names.length > MAX_PARAMETERS) {
    errors.push(
      templateError(
        "Parameters",
        `Parameters count ${names.length} is greater than the maximum ${MAX_PARAMETERS}`,
      ),
    );
  }
  for (const name of names) {
    const path = childPath("Parameters", name);
    const body = section[name];
    if (!LOGICAL_ID.test(name))
      errors.push(templateError(path, `Parameter name ${name} is non alphanumeric.`));
    if (!isPlainObject(body)) {
      errors.push(templateError(path, `Parameter ${name} must be a map with a Type`));
      continue;
    }
    for (const key of Object.keys(body)) {
      if (!PARAMETER_KEYS.has(key))
        errors.push(templateError(childPath(path, key), `Invalid template parameter property '${key}'`));
    }
    const definition = readDefinition(name, body, path, errors);
    if (definition !== undefined) definitions.push(definition);
  }
  return { definitions, errors };
}

function readDefinition(
  name: string,
  body: Record<string, unknown>,
  path: string,
  errors: TemplateError[],
): ParameterDefinition | undefined {
  const type = ownValue(body, "Type");
  if (typeof type !== "string") {
    errors.push(
      templateError(childPath(path, "Type"), "Every Parameters object must contain a Type member."),
    );
    return undefined;
  }
  const kind = parameterKind(type);
  if (kind === undefined) {
    errors.push(templateError(childPath(path, "Type"), `Unrecognized parameter type: ${type}`));
    return undefined;
  }
  const definition: { -readonly [K in keyof ParameterDefinition]: ParameterDefinition[K] } = {
    name,
    type,
    kind,
    noEcho: false,
  };
  const text = (key: string): string | undefined => {
    const value = ownValue(body, key);
    if (value === undefined) return undefined;
    const t = scalarText(value);
    if (t === undefined)
      errors.push(templateError(childPath(path, key), `Parameter ${name}: ${key} must be a string`));
    return t;
  };
  const number = (key: string): number | undefined => {
    const value = ownValue(body, key);
    if (value === undefined) return undefined;
    const n = numberOrUndefined(value);
    if (n === undefined)
      errors.push(
        templateError(
          childPath(path, key),
          `Parameter ${name}: ${key} must be a number, not ${describeValue(value)}`,
        ),
      );
    return n;
  };
  const defaultValue = ownValue(body, "Default");
  if (defaultValue !== undefined) {
    const d = Array.isArray(defaultValue) ? defaultValue.map(scalarText).join(",") : scalarText(defaultValue);
    if (d === undefined)
      errors.push(templateError(childPath(path, "Default"), `Parameter ${name}: Default must be a string`));
    else definition.default = d;
  }
  const allowed = ownValue(body, "AllowedValues");
  if (allowed !== undefined) {
    const values = Array.isArray(allowed) ? allowed.map(scalarText) : [];
    if (!Array.isArray(allowed) || values.some((v) => v === undefined)) {
      errors.push(
        templateError(
          childPath(path, "AllowedValues"),
          `Parameter ${name}: AllowedValues must be a list of strings`,
        ),
      );
    } else {
      definition.allowedValues = values as string[];
    }
  }
  const pattern = text("AllowedPattern");
  if (pattern !== undefined) {
    if (compilePattern(pattern) === undefined) {
      errors.push(
        templateError(
          childPath(path, "AllowedPattern"),
          `Parameter ${name}: AllowedPattern ${pattern} is not a valid regular expression`,
        ),
      );
    } else {
      definition.allowedPattern = pattern;
    }
  }
  const optional = { description: text("Description"), constraintDescription: text("ConstraintDescription") };
  const bounds = {
    minLength: number("MinLength"),
    maxLength: number("MaxLength"),
    minValue: number("MinValue"),
    maxValue: number("MaxValue"),
  };
  for (const [key, value] of Object.entries({ ...optional, ...bounds })) {
    if (value !== undefined) (definition as Record<string, unknown>)[key] = value;
  }
  const noEcho = ownValue(body, "NoEcho");
  definition.noEcho = noEcho === true || noEcho === "true";
  return definition;
}

/** CloudFormation's AllowedPattern must match the whole value (Java `Pattern.matches`). */
function compilePattern(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    return undefined;
  }
}

/** CommaDelimitedList: one more member than commas, each trimmed of spaces. */
export function splitList(text: string): string[] {
  return text.split(",").map((item) => item.trim());
}

/**
 * The value of every parameter for this deploy: the supplied value or the default, checked against
 * its constraints. Names supplied but not declared, and declared parameters with neither a value nor
 * a default, are errors.
 */
export function resolveParameterValues(
  definitions: readonly ParameterDefinition[],
  inputs: ParameterInputs,
): { values: Record<string, ParameterValue>; errors: TemplateError[] } {
  const values: Record<string, ParameterValue> = {};
  const errors: TemplateError[] = [];
  const declared = new Set(definitions.map((d) => d.name));
  const unknown = Object.keys(inputs).filter((name) => !declared.has(name));
  if (unknown.length > 0)
    errors.push(
      templateError("Parameters", `Parameters: [${unknown.join(", ")}] do not exist in the template`),
    );
  for (const definition of definitions) {
    const path = childPath("Parameters", definition.name);
    const given = ownValue(inputs, definition.name) as string | readonly string[] | undefined;
    const raw = given ?? definition.default;
    if (raw === undefined) {
      errors.push(templateError(path, `Parameters: [${definition.name}] must have values`));
      continue;
    }
    const list = definition.kind === "list" || definition.kind === "number-list";
    let value: ParameterValue;
    if (typeof raw === "string") value = list ? splitList(raw) : raw;
    else if (list) value = raw.map((item) => item.trim());
    else {
      errors.push(templateError(path, `Parameter '${definition.name}' must be a single value, not a list`));
      continue;
    }
    const problem = constraintProblem(definition, value);
    if (problem !== undefined) {
      errors.push(templateError(path, problem));
      continue;
    }
    setOwn(values, definition.name, value);
  }
  return { values, errors };
}

/** The first constraint `value` breaks, worded as CloudFormation words it; `undefined` when it passes. */
export function constraintProblem(
  definition: ParameterDefinition,
  value: ParameterValue,
): string | undefined {
  const name = definition.name;
  const members = typeof value === "string" ? [value] : value;
  const numeric = definition.kind === "number" || definition.kind === "number-list";
  for (const member of members) {
    if (numeric && !isNumeric(member)) return `Parameter '${name}' must be a number`;
  }
  const broken = (message: string): string =>
    definition.constraintDescription === undefined
      ? message
      : `Parameter '${name}' failed to satisfy constraint: ${definition.constraintDescription}`;
  for (const member of members) {
    if (definition.allowedValues !== undefined && !definition.allowedValues.includes(member)) {
      return broken(`Parameter '${name}' must be one of AllowedValues`);
    }
    if (definition.allowedPattern !== undefined && !compilePattern(definition.allowedPattern)?.test(member)) {
      return broken(`Parameter '${name}' must match pattern ${definition.allowedPattern}`);
    }
    if (definition.minLength !== undefined && member.length < definition.minLength) {
      return broken(`Parameter '${name}' must contain at least ${definition.minLength} characters`);
    }
    if (definition.maxLength !== undefined && member.length > definition.maxLength) {
      return broken(`Parameter '${name}' must contain at most ${definition.maxLength} characters`);
    }
    if (numeric && definition.minValue !== undefined && Number(member) < definition.minValue) {
      return broken(`Parameter '${name}' must be a number not less than ${definition.minValue}`);
    }
    if (numeric && definition.maxValue !== undefined && Number(member) > definition.maxValue) {
      return broken(`Parameter '${name}' must be a number not greater than ${definition.maxValue}`);
    }
  }
  return undefined;
}
