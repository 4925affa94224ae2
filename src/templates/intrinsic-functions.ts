/**
 * Which keys are intrinsic function calls. A call is an object with exactly one key, and that key is
 * `Ref` or an `Fn::` name: `{"Ref": "X"}` is a reference, `{"Ref": "X", "Other": 1}` is data that
 * validation reports as malformed. `Condition` counts as a call only inside condition functions
 * (`Fn::And`, `Fn::Or`, `Fn::Not`) and the Conditions section, because `{"Condition": …}` is ordinary
 * data elsewhere (an IAM statement's Condition block, for one).
 */
import { isPlainObject, type JsonObject } from "./json-values.js";

export const INTRINSIC_FUNCTIONS = [
  "Ref",
  "Fn::GetAtt",
  "Fn::Sub",
  "Fn::Join",
  "Fn::Select",
  "Fn::Split",
  "Fn::If",
  "Fn::Equals",
  "Fn::And",
  "Fn::Or",
  "Fn::Not",
  "Fn::FindInMap",
  "Fn::Base64",
  "Fn::GetAZs",
  "Fn::ImportValue",
  "Fn::Cidr",
] as const;

export type IntrinsicFunctionName = (typeof INTRINSIC_FUNCTIONS)[number];

/** The condition functions; they may appear in the Conditions section and inside each other. */
export const CONDITION_FUNCTIONS: readonly IntrinsicFunctionName[] = [
  "Fn::Equals",
  "Fn::And",
  "Fn::Or",
  "Fn::Not",
];

const SUPPORTED = new Set<string>(INTRINSIC_FUNCTIONS);

export interface IntrinsicCall {
  readonly name: IntrinsicFunctionName;
  readonly args: unknown;
}

function isFunctionKey(key: string): boolean {
  return key === "Ref" || key.startsWith("Fn::");
}

/** The call `value` is, when it is one of the supported functions; `undefined` for plain data. */
export function asIntrinsicCall(value: unknown): IntrinsicCall | undefined {
  if (!isPlainObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  if (!SUPPORTED.has(key)) return undefined;
  return { name: key as IntrinsicFunctionName, args: value[key] };
}

/** The `Fn::` key of a one-key object naming a function this platform does not implement. */
export function unsupportedFunctionName(value: unknown): string | undefined {
  if (!isPlainObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  return isFunctionKey(key) && !SUPPORTED.has(key) ? key : undefined;
}

/** The function keys of an object that mixes a function call with other keys (malformed). */
export function functionKeysAmongOthers(value: JsonObject): string[] {
  const keys = Object.keys(value);
  if (keys.length < 2) return [];
  return keys.filter(isFunctionKey);
}

/** `{"Condition": "Name"}`, as it appears inside condition functions. */
export function asConditionReference(value: unknown): string | undefined {
  if (!isPlainObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== "Condition") return undefined;
  const name = value.Condition;
  return typeof name === "string" ? name : undefined;
}

export function unsupportedFunctionMessage(name: string): string {
  return `Encountered unsupported function: ${name} Supported functions are: [${INTRINSIC_FUNCTIONS.join(", ")}]`;
}
