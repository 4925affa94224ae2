/**
 * Static checks of intrinsic function calls: the shape of each call's arguments (arity, which
 * arguments must be literal strings), unsupported `Fn::` names, `Fn::If` and `Condition` names that
 * are not defined, and `Fn::FindInMap` lookups that cannot succeed. What references point at is
 * checked elsewhere, from `collectReferences`, so the two walks stay simple.
 */
import {
  asConditionReference,
  asIntrinsicCall,
  CONDITION_FUNCTIONS,
  functionKeysAmongOthers,
  type IntrinsicCall,
  unsupportedFunctionMessage,
  unsupportedFunctionName,
} from "./intrinsic-functions.js";
import { childPath, describeValue, isPlainObject, type JsonObject, ownValue } from "./json-values.js";
import { parseSubString } from "./sub-string.js";
import { type TemplateError, templateError } from "./template-errors.js";

export interface IntrinsicScope {
  readonly conditionNames: ReadonlySet<string>;
  readonly mappings: JsonObject;
  /** In the Conditions section, functions that need resources or conditions are not allowed. */
  readonly inConditions: boolean;
}

export function validateIntrinsics(value: unknown, path: string, scope: IntrinsicScope): TemplateError[] {
  const errors: TemplateError[] = [];
  walk(value, path, scope, errors);
  return errors;
}

function walk(value: unknown, path: string, scope: IntrinsicScope, errors: TemplateError[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      walk(item, childPath(path, i), scope, errors);
    });
    return;
  }
  if (!isPlainObject(value)) return;
  const unsupported = unsupportedFunctionName(value);
  if (unsupported !== undefined) {
    errors.push(templateError(childPath(path, unsupported), unsupportedFunctionMessage(unsupported)));
    return;
  }
  const mixed = functionKeysAmongOthers(value);
  if (mixed.length > 0) {
    const message = `${mixed[0]} must be the only key of its object, but the object also has [${Object.keys(
      value,
    )
      .filter((k) => k !== mixed[0])
      .join(", ")}]`;
    errors.push(templateError(childPath(path, mixed[0]!), message));
  }
  const call = asIntrinsicCall(value);
  if (call === undefined) {
    for (const [key, item] of Object.entries(value)) walk(item, childPath(path, key), scope, errors);
    return;
  }
  checkCall(call, childPath(path, call.name), scope, errors);
}

/** Conditions are evaluated before any resource exists, and `Fn::If` needs them already evaluated. */
const NOT_IN_CONDITIONS = new Set<string>(["Fn::GetAtt", "Fn::If", "Fn::ImportValue"]);

const isCall = (value: unknown): boolean => asIntrinsicCall(value) !== undefined;
const isStringOrCall = (value: unknown): boolean => typeof value === "string" || isCall(value);
const isListOrCall = (value: unknown): boolean => Array.isArray(value) || isCall(value);

function checkCall(call: IntrinsicCall, path: string, scope: IntrinsicScope, errors: TemplateError[]): void {
  const { name, args } = call;
  const fail = (message: string): void => {
    errors.push(templateError(path, message));
  };
  const list = (length: number | [number, number]): unknown[] | undefined => {
    const [min, max] = typeof length === "number" ? [length, length] : length;
    if (Array.isArray(args) && args.length >= min && args.length <= max) return args;
    const count = min === max ? `${min}` : `${min} to ${max}`;
    fail(`${name} requires a list of ${count} parameters, not ${describeValue(args)}`);
    return undefined;
  };
  const recurse = (value: unknown, at: string): void => walk(value, at, scope, errors);

  if (scope.inConditions && NOT_IN_CONDITIONS.has(name)) {
    fail(`${name} cannot be used in the Conditions section`);
    return;
  }
  switch (name) {
    case "Ref":
      if (typeof args !== "string" || args === "") fail("Every Ref object must have a single String value.");
      return;
    case "Fn::GetAtt": {
      const shape =
        "every Fn::GetAtt object requires two non-empty parameters, (1) the resource name and (2) the resource attribute";
      if (typeof args === "string") {
        const dot = args.indexOf(".");
        if (dot <= 0 || dot === args.length - 1) fail(shape);
      } else if (!Array.isArray(args) || args.length !== 2 || typeof args[0] !== "string" || args[0] === "") {
        fail(shape);
      } else if (!(typeof args[1] === "string" && args[1] !== "") && !isCall(args[1])) {
        fail(shape);
      } else {
        recurse(args[1], childPath(path, 1));
      }
      return;
    }
    case "Fn::Sub": {
      const source = Array.isArray(args) ? args[0] : args;
      if (Array.isArray(args) && (args.length !== 2 || !isPlainObject(args[1]))) {
        fail("Fn::Sub requires a string, or a list of a string and a map of variables");
        return;
      }
      if (typeof source !== "string") {
        fail("Fn::Sub: the template to substitute into must be a literal string");
        return;
      }
      const parsed = parseSubString(source);
      if (!parsed.ok) fail(`Fn::Sub: ${parsed.message}`);
      if (Array.isArray(args)) recurse(args[1], childPath(path, 1));
      return;
    }
    case "Fn::Join": {
      const a = list(2);
      if (a === undefined) return;
      if (!isStringOrCall(a[0]) || !isListOrCall(a[1])) {
        fail(
          "every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined",
        );
      }
      recurse(a, path);
      return;
    }
    case "Fn::Select": {
      const a = list(2);
      if (a === undefined) return;
      const index = a[0];
      const literalIndex = typeof index === "number" || (typeof index === "string" && /^\d+$/.test(index));
      if (!literalIndex && !isCall(index))
        fail(`Fn::Select: the index must be a non-negative integer, not ${describeValue(index)}`);
      if (!isListOrCall(a[1]))
        fail(`Fn::Select: the second parameter must be a list, not ${describeValue(a[1])}`);
      else if (Array.isArray(a[1]) && literalIndex && Number(index) >= a[1].length) {
        fail(`Fn::Select cannot select nonexistent value at index ${Number(index)}`);
      }
      recurse(a, path);
      return;
    }
    case "Fn::Split": {
      const a = list(2);
      if (a === undefined) return;
      if (typeof a[0] !== "string") fail("Fn::Split: the delimiter must be a literal string");
      if (!isStringOrCall(a[1]))
        fail(`Fn::Split: the value to split must be a string, not ${describeValue(a[1])}`);
      recurse(a[1], childPath(path, 1));
      return;
    }
    case "Fn::If": {
      const a = list(3);
      if (a === undefined) return;
      if (typeof a[0] !== "string") fail("Fn::If: the first parameter must be a condition name");
      else if (!scope.conditionNames.has(a[0]))
        fail(`Condition ${a[0]} used in Fn::If is not defined in the Conditions section`);
      recurse(a[1], childPath(path, 1));
      recurse(a[2], childPath(path, 2));
      return;
    }
    case "Fn::Equals": {
      const a = list(2);
      if (a !== undefined) recurse(a, path);
      return;
    }
    case "Fn::And":
    case "Fn::Or":
    case "Fn::Not": {
      const a = list(name === "Fn::Not" ? 1 : [2, 10]);
      a?.forEach((operand, i) => {
        checkConditionOperand(operand, childPath(path, i), scope, errors);
      });
      return;
    }
    case "Fn::FindInMap":
      checkFindInMap(args, path, scope, errors);
      return;
    case "Fn::Base64":
    case "Fn::GetAZs":
    case "Fn::ImportValue":
      if (!isStringOrCall(args)) fail(`${name} requires a string, not ${describeValue(args)}`);
      recurse(args, path);
      return;
    case "Fn::Cidr": {
      const a = list(3);
      if (a !== undefined) recurse(a, path);
      return;
    }
    default: {
      const unreachable: never = name;
      fail(unsupportedFunctionMessage(String(unreachable)));
    }
  }
}

/** An operand of `Fn::And`/`Fn::Or`/`Fn::Not`, or a whole condition in the Conditions section. */
export function checkConditionOperand(
  operand: unknown,
  path: string,
  scope: IntrinsicScope,
  errors: TemplateError[],
): void {
  const reference = asConditionReference(operand);
  if (reference !== undefined) {
    if (!scope.conditionNames.has(reference)) {
      errors.push(
        templateError(
          childPath(path, "Condition"),
          `Condition ${reference} is not defined in the Conditions section`,
        ),
      );
    }
    return;
  }
  const call = asIntrinsicCall(operand);
  if (call !== undefined && CONDITION_FUNCTIONS.includes(call.name)) {
    checkCall(call, childPath(path, call.name), scope, errors);
    return;
  }
  if (typeof operand === "boolean" || operand === "true" || operand === "false") return;
  errors.push(
    templateError(
      path,
      `a condition must be a condition function (Fn::Equals, Fn::And, Fn::Or, Fn::Not) or a Condition reference, not ${describeValue(operand)}`,
    ),
  );
}

function checkFindInMap(args: unknown, path: string, scope: IntrinsicScope, errors: TemplateError[]): void {
  if (!Array.isArray(args) || (args.length !== 3 && args.length !== 4)) {
    errors.push(
      templateError(
        path,
        "Fn::FindInMap requires a list of 3 parameters: a map name, a top-level key and a second-level key",
      ),
    );
    return;
  }
  const keys = args.slice(0, 3);
  const fallback = args[3];
  if (args.length === 4 && !(isPlainObject(fallback) && Object.hasOwn(fallback, "DefaultValue"))) {
    errors.push(
      templateError(
        childPath(path, 3),
        "Fn::FindInMap: the fourth parameter must be a map with a DefaultValue",
      ),
    );
  }
  keys.forEach((key, i) => {
    if (typeof key !== "string" && typeof key !== "number" && !isCall(key)) {
      errors.push(
        templateError(
          childPath(path, i),
          `Fn::FindInMap: every key must be a string, not ${describeValue(key)}`,
        ),
      );
    }
  });
  walk(args, path, scope, errors);
  const [mapName, topKey, secondKey] = keys;
  if (typeof mapName !== "string" || args.length === 4) return;
  const map = ownValue(scope.mappings, mapName);
  if (!isPlainObject(map)) {
    errors.push(
      templateError(path, `Mapping named ${mapName} is not present in the Mappings section of the template`),
    );
    return;
  }
  if (typeof topKey !== "string" || typeof secondKey !== "string") return;
  const top = ownValue(map, topKey);
  if (!isPlainObject(top) || ownValue(top, secondKey) === undefined) {
    errors.push(templateError(path, `Unable to get mapping for ${mapName}::${topKey}::${secondKey}`));
  }
}
