import { AwsError } from "../../protocol/index.js";

/**
 * A pattern EventBridge refuses. It is the AwsError the API answers with
 * (`InvalidEventPatternException`, 400), so PutRule and TestEventPattern can throw it as it is.
 */
export class InvalidEventPatternError extends AwsError {
  /** The reason alone, without AWS's "Event pattern is not valid. Reason: " preamble. */
  readonly reason: string;

  constructor(reason: string) {
    super("InvalidEventPatternException", `Event pattern is not valid. Reason: ${reason}`, 400);
    this.reason = reason;
  }
}

/** An event TestEventPattern refuses: not a JSON object, or without the envelope's fields. */
export class InvalidTestEventError extends AwsError {
  constructor() {
    super("ValidationException", "Parameter Event is not valid.", 400);
  }
}

export const patternErrors = {
  tooLong: (limit: number) =>
    new InvalidEventPatternError(`Event pattern is longer than ${limit} characters`),
  notAnObject: () => "Filter is not an object",
  emptyArray: () => "Empty arrays are not allowed",
  emptyObject: () => "Empty objects are not allowed",
  fieldNotObjectOrArray: (key: string) => `"${key}" must be an object or an array`,
  matchValue: () => "Match value must be String, number, true, false, or null",
  oneKeyOnly: () => "Only one key allowed in match expression",
  unrecognisedMatchType: (type: string) => `Unrecognized match type ${type}`,
  mustBeString: (what: string) => `${what} match pattern must be a string`,
  existsBoolean: () => "exists match pattern must be either true or false.",
  anythingButValue: () => "Value of anything-but must be an array or single string/number value.",
  anythingButList: () => "Inside anything but list, start|null|boolean is not supported.",
  anythingButIgnoreCase: () =>
    "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
  anythingButUnsupported: (key: string) => `Unsupported anything-but pattern: ${key}`,
  nullPrefixSuffix: () => "Null prefix/suffix not allowed",
  numericArray: () => "Value of numeric must be an array.",
  numericOperator: (op: string) => `Unrecognized numeric range operator: ${op}`,
  numericBadOperator: (op: string) => `Bad numeric range operator: ${op}`,
  numericValue: (op: string) => `Value of ${op} must be numeric`,
  numericBadRange: () => "Bad numeric range: the lower bound must be below the upper bound",
  cidrSlash: () => "Malformed CIDR, one '/' required",
  cidrMaskInteger: () => "Malformed CIDR, mask bits must be an integer",
  cidrMaskRange: (max: number) => `Malformed CIDR, mask bits must be between 0 and ${max}`,
  nonstandardIp: (address: string) => `Nonstandard IP address: ${address}`,
  consecutiveWildcards: (pos: number) => `Consecutive wildcard characters at pos ${pos}`,
  wildcardEscape: (pos: number) => `Invalid escape character at pos ${pos}`,
  wildcardTooComplex: () =>
    "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character",
  tooManyCombinations: (limit: number) =>
    `Rule is too complex - the $or combinations exceed the limit of ${limit}`,
} as const;
