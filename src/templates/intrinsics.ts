/**
 * The intrinsic-function evaluator. `resolveValue` turns one template value into plain data, given
 * parameter values, evaluated conditions, mappings and callbacks for what only the engine knows
 * (resource physical ids and attributes, exports). It is pure: the callbacks are the only way out.
 *
 * `AWS::NoValue` removes the key or array element it stands in; when it is the whole value,
 * `resolveValue` returns `undefined`. Errors are thrown as `IntrinsicError` carrying the path of the
 * failing call, e.g. `Resources.Q.Properties.Name.Fn::Select`.
 */
import { cidrSubnets } from "./cidr.js";
import { callBack, fixedArgs, integerArg, stringArg } from "./intrinsic-arguments.js";
import {
  asConditionReference,
  asIntrinsicCall,
  CONDITION_FUNCTIONS,
  type IntrinsicCall,
  unsupportedFunctionMessage,
  unsupportedFunctionName,
} from "./intrinsic-functions.js";
import { childPath, describeValue, isPlainObject, type JsonObject, ownValue, setOwn } from "./json-values.js";
import type { ParameterValue } from "./parameters.js";
import {
  isPseudoParameter,
  NO_VALUE_PSEUDO_PARAMETER,
  type PseudoParameters,
  pseudoParameterValue,
} from "./pseudo-parameters.js";
import { parseSubString, splitSubVariable } from "./sub-string.js";
import { IntrinsicError } from "./template-errors.js";

export interface ResolveContext {
  readonly parameters: Readonly<Record<string, ParameterValue>>;
  readonly pseudo: PseudoParameters;
  /** Conditions evaluated once per deploy (see `evaluateConditions`). */
  readonly conditions: Readonly<Record<string, boolean>>;
  readonly mappings?: Readonly<Record<string, unknown>>;
  /** `Ref` of a resource: its physical id. Absent where resources cannot be referenced (Conditions). */
  readonly resolveResourceRef?: (logicalId: string) => unknown;
  readonly resolveGetAtt?: (logicalId: string, attribute: string) => unknown;
  readonly importValue?: (exportName: string) => unknown;
}

const NO_VALUE: unique symbol = Symbol(NO_VALUE_PSEUDO_PARAMETER);
type Resolved = unknown;

/** Resolves every intrinsic function in `value`; `undefined` when the whole value is `AWS::NoValue`. */
export function resolveValue(value: unknown, ctx: ResolveContext, path = ""): unknown {
  const resolved = resolve(value, ctx, path);
  return resolved === NO_VALUE ? undefined : resolved;
}

function resolve(value: unknown, ctx: ResolveContext, path: string): Resolved {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    value.forEach((item, index) => {
      const resolved = resolve(item, ctx, childPath(path, index));
      if (resolved !== NO_VALUE) out.push(resolved);
    });
    return out;
  }
  if (!isPlainObject(value)) return value;
  const call = asIntrinsicCall(value);
  if (call !== undefined) return evaluate(call, ctx, childPath(path, call.name));
  const unsupported = unsupportedFunctionName(value);
  if (unsupported !== undefined)
    throw new IntrinsicError(childPath(path, unsupported), unsupportedFunctionMessage(unsupported));
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    const resolved = resolve(item, ctx, childPath(path, key));
    if (resolved !== NO_VALUE) setOwn(out, key, resolved);
  }
  return out;
}

function evaluate(call: IntrinsicCall, ctx: ResolveContext, path: string): Resolved {
  const { args } = call;
  switch (call.name) {
    case "Ref":
      return evaluateRef(args, ctx, path);
    case "Fn::GetAtt":
      return evaluateGetAtt(args, ctx, path);
    case "Fn::Sub":
      return evaluateSub(args, ctx, path);
    case "Fn::Join":
      return evaluateJoin(args, ctx, path);
    case "Fn::Select":
      return evaluateSelect(args, ctx, path);
    case "Fn::Split": {
      const [delimiter, source] = fixedArgs(args, 2, path, "a delimiter and a string");
      const d = stringArg(resolve(delimiter, ctx, childPath(path, 0)), path, "the delimiter");
      return stringArg(resolve(source, ctx, childPath(path, 1)), path, "the string to split").split(d);
    }
    case "Fn::If": {
      const [name, whenTrue, whenFalse] = fixedArgs(args, 3, path, "a condition name and two values");
      if (typeof name !== "string")
        throw new IntrinsicError(path, "Fn::If: the condition name must be a string");
      return lookupCondition(name, ctx, path)
        ? resolve(whenTrue, ctx, childPath(path, 1))
        : resolve(whenFalse, ctx, childPath(path, 2));
    }
    case "Fn::Equals":
    case "Fn::And":
    case "Fn::Or":
    case "Fn::Not":
      return evaluateConditionFunction(call, ctx, path);
    case "Fn::FindInMap":
      return evaluateFindInMap(args, ctx, path);
    case "Fn::Base64":
      return Buffer.from(stringArg(resolve(args, ctx, path), path, "the value to encode"), "utf8").toString(
        "base64",
      );
    case "Fn::GetAZs": {
      const region = stringArg(resolve(args, ctx, path), path, "the region");
      const r = region === "" ? ctx.pseudo.region : region;
      return [`${r}a`, `${r}b`, `${r}c`];
    }
    case "Fn::ImportValue": {
      const name = stringArg(resolve(args, ctx, path), path, "the export name");
      if (ctx.importValue === undefined) {
        throw new IntrinsicError(
          path,
          `Fn::ImportValue is not supported here: no export named ${name} can be read`,
        );
      }
      return callBack(path, () => ctx.importValue!(name), `No export named ${name} found`);
    }
    case "Fn::Cidr": {
      const [block, count, bits] = fixedArgs(args, 3, path, "an address block, a count and cidrBits");
      const result = cidrSubnets(
        stringArg(resolve(block, ctx, childPath(path, 0)), path, "the address block"),
        integerArg(resolve(count, ctx, childPath(path, 1)), path, "the count"),
        integerArg(resolve(bits, ctx, childPath(path, 2)), path, "cidrBits"),
      );
      if (!result.ok) throw new IntrinsicError(path, result.message);
      return result.blocks;
    }
    default: {
      const unreachable: never = call.name;
      throw new IntrinsicError(path, unsupportedFunctionMessage(String(unreachable)));
    }
  }
}

function evaluateRef(args: unknown, ctx: ResolveContext, path: string): Resolved {
  if (typeof args !== "string")
    throw new IntrinsicError(path, "Every Ref object must have a single String value.");
  return refByName(args, ctx, path);
}

function refByName(name: string, ctx: ResolveContext, path: string): Resolved {
  if (name === NO_VALUE_PSEUDO_PARAMETER) return NO_VALUE;
  if (isPseudoParameter(name)) return pseudoParameterValue(name, ctx.pseudo);
  const parameter = ownValue(ctx.parameters, name) as ParameterValue | undefined;
  if (parameter !== undefined) return typeof parameter === "string" ? parameter : [...parameter];
  if (ctx.resolveResourceRef === undefined) {
    throw new IntrinsicError(
      path,
      `Unresolved reference ${name}: it is not a parameter, and resources cannot be referenced here`,
    );
  }
  return callBack(
    path,
    () => ctx.resolveResourceRef!(name),
    `Unresolved reference ${name}: the resource has no physical id`,
  );
}

function getAttByName(logicalId: string, attribute: string, ctx: ResolveContext, path: string): Resolved {
  if (ctx.resolveGetAtt === undefined) {
    throw new IntrinsicError(
      path,
      `Fn::GetAtt of ${logicalId}.${attribute}: resources cannot be referenced here`,
    );
  }
  return callBack(
    path,
    () => ctx.resolveGetAtt!(logicalId, attribute),
    `Fn::GetAtt: resource ${logicalId} has no value for attribute ${attribute}`,
  );
}

const GET_ATT_SHAPE =
  "every Fn::GetAtt object requires two non-empty parameters, (1) the resource name and (2) the resource attribute";

function evaluateGetAtt(args: unknown, ctx: ResolveContext, path: string): Resolved {
  if (typeof args === "string") {
    const { target, attribute } = splitSubVariable(args);
    if (attribute === undefined || target === "" || attribute === "")
      throw new IntrinsicError(path, GET_ATT_SHAPE);
    return getAttByName(target, attribute, ctx, path);
  }
  if (!Array.isArray(args) || args.length !== 2 || typeof args[0] !== "string" || args[0] === "") {
    throw new IntrinsicError(path, GET_ATT_SHAPE);
  }
  // The attribute may itself be computed (e.g. `!Ref AttributeParam`), the resource name may not.
  const attribute = resolve(args[1], ctx, childPath(path, 1));
  if (typeof attribute !== "string" || attribute === "") throw new IntrinsicError(path, GET_ATT_SHAPE);
  return getAttByName(args[0], attribute, ctx, path);
}

function evaluateSub(args: unknown, ctx: ResolveContext, path: string): Resolved {
  let source: unknown = args;
  let variables: JsonObject = {};
  if (Array.isArray(args)) {
    if (args.length !== 2 || !isPlainObject(args[1])) {
      throw new IntrinsicError(
        path,
        "Fn::Sub requires a string, or a list of a string and a map of variables",
      );
    }
    source = args[0];
    variables = args[1];
  }
  if (typeof source !== "string")
    throw new IntrinsicError(path, "Fn::Sub: the template to substitute into must be a string");
  const parsed = parseSubString(source);
  if (!parsed.ok) throw new IntrinsicError(path, `Fn::Sub: ${parsed.message}`);
  let out = "";
  for (const part of parsed.parts) {
    if (part.kind === "text") {
      out += part.text;
      continue;
    }
    const value = subVariable(part.name, variables, ctx, path);
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      out += String(value);
    } else {
      throw new IntrinsicError(
        path,
        `Fn::Sub: \${${part.name}} must resolve to a string, not ${describeValue(value)}`,
      );
    }
  }
  return out;
}

function subVariable(name: string, variables: JsonObject, ctx: ResolveContext, path: string): Resolved {
  if (Object.hasOwn(variables, name))
    return resolve(variables[name], ctx, childPath(childPath(path, 1), name));
  if (name === NO_VALUE_PSEUDO_PARAMETER)
    throw new IntrinsicError(path, "Fn::Sub: AWS::NoValue cannot be substituted");
  const { target, attribute } = splitSubVariable(name);
  return attribute === undefined ? refByName(target, ctx, path) : getAttByName(target, attribute, ctx, path);
}

function evaluateJoin(args: unknown, ctx: ResolveContext, path: string): Resolved {
  if (!Array.isArray(args) || args.length !== 2) {
    throw new IntrinsicError(
      path,
      "every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined",
    );
  }
  const delimiter = stringArg(resolve(args[0], ctx, childPath(path, 0)), path, "the delimiter");
  const list = resolve(args[1], ctx, childPath(path, 1));
  if (!Array.isArray(list))
    throw new IntrinsicError(path, `Fn::Join: the values to join must be a list, not ${describeValue(list)}`);
  return list.map((item) => stringArg(item, path, "every value to join")).join(delimiter);
}

function evaluateSelect(args: unknown, ctx: ResolveContext, path: string): Resolved {
  const [indexArg, listArg] = fixedArgs(args, 2, path, "an index and a list");
  const index = integerArg(resolve(indexArg, ctx, childPath(path, 0)), path, "the index");
  const list = resolve(listArg, ctx, childPath(path, 1));
  if (!Array.isArray(list))
    throw new IntrinsicError(
      path,
      `Fn::Select: the second parameter must be a list, not ${describeValue(list)}`,
    );
  if (index < 0 || index >= list.length) {
    throw new IntrinsicError(path, `Fn::Select cannot select nonexistent value at index ${index}`);
  }
  return list[index];
}

function evaluateFindInMap(args: unknown, ctx: ResolveContext, path: string): Resolved {
  if (!Array.isArray(args) || (args.length !== 3 && args.length !== 4)) {
    throw new IntrinsicError(
      path,
      "Fn::FindInMap requires a list of 3 parameters: a map name, a top-level key and a second-level key",
    );
  }
  const [mapName, topKey, secondKey] = [0, 1, 2].map((i) =>
    stringArg(resolve(args[i], ctx, childPath(path, i)), path, "every key"),
  ) as [string, string, string];
  const map = ctx.mappings === undefined ? undefined : ownValue(ctx.mappings, mapName);
  const top = isPlainObject(map) ? ownValue(map, topKey) : undefined;
  const found = isPlainObject(top) ? ownValue(top, secondKey) : undefined;
  if (found !== undefined) return resolve(found, ctx, path);
  const fallback = args[3];
  if (isPlainObject(fallback) && Object.hasOwn(fallback, "DefaultValue")) {
    return resolve(fallback.DefaultValue, ctx, childPath(childPath(path, 3), "DefaultValue"));
  }
  throw new IntrinsicError(path, `Unable to get mapping for ${mapName}::${topKey}::${secondKey}`);
}

function lookupCondition(name: string, ctx: ResolveContext, path: string): boolean {
  const value = ownValue(ctx.conditions, name);
  if (typeof value !== "boolean")
    throw new IntrinsicError(path, `Condition ${name} is not defined in the Conditions section`);
  return value;
}

/** `Fn::Equals`, `Fn::And`, `Fn::Or` and `Fn::Not`, shared with the Conditions section. */
export function evaluateConditionFunction(call: IntrinsicCall, ctx: ResolveContext, path: string): boolean {
  const { args } = call;
  if (call.name === "Fn::Equals") {
    const [left, right] = fixedArgs(args, 2, path, "two values to compare");
    return sameValue(resolve(left, ctx, childPath(path, 0)), resolve(right, ctx, childPath(path, 1)));
  }
  if (call.name === "Fn::Not") {
    const [operand] = fixedArgs(args, 1, path, "one condition");
    return !conditionOperand(operand, ctx, childPath(path, 0));
  }
  if (!Array.isArray(args) || args.length < 2 || args.length > 10) {
    throw new IntrinsicError(path, `${call.name} requires a list of 2 to 10 conditions`);
  }
  const values = args.map((operand, index) => conditionOperand(operand, ctx, childPath(path, index)));
  return call.name === "Fn::And" ? values.every(Boolean) : values.some(Boolean);
}

/** One operand of a condition function: `{"Condition": name}`, another condition function, or a boolean. */
export function conditionOperand(operand: unknown, ctx: ResolveContext, path: string): boolean {
  const reference = asConditionReference(operand);
  if (reference !== undefined) return lookupCondition(reference, ctx, childPath(path, "Condition"));
  const call = asIntrinsicCall(operand);
  if (call !== undefined && CONDITION_FUNCTIONS.includes(call.name)) {
    return evaluateConditionFunction(call, ctx, childPath(path, call.name));
  }
  if (typeof operand === "boolean") return operand;
  if (operand === "true" || operand === "false") return operand === "true";
  throw new IntrinsicError(
    path,
    `a condition must be a condition function (Fn::Equals, Fn::And, Fn::Or, Fn::Not) or a Condition reference, not ${describeValue(operand)}`,
  );
}

/** CloudFormation compares values as strings: `!Equals [!Ref Count, 3]` is true when Count is "3". */
function sameValue(left: unknown, right: unknown): boolean {
  if (Array.isArray(left) || Array.isArray(right)) {
    return (
      Array.isArray(left) &&
      Array.isArray(right) &&
      left.length === right.length &&
      left.every((item, i) => sameValue(item, right[i]))
    );
  }
  const scalar = (v: unknown): string | undefined =>
    typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
  const l = scalar(left);
  const r = scalar(right);
  if (l !== undefined || r !== undefined) return l === r;
  return JSON.stringify(left) === JSON.stringify(right);
}
