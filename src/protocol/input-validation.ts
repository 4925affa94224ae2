/**
 * Checks a decoded input against its operation's model and words each failure as AWS does:
 *
 *   2 validation errors detected: Value 'x' at 'functionName' failed to satisfy constraint:
 *   Member must satisfy regular expression pattern: …; Value null at 'role' failed to satisfy
 *   constraint: Member must not be null
 *
 * Members are visited in model order, each one's failures in the order AWS reports them (not null;
 * pattern; length; value; enum). A list or map of scalars is judged as a whole: one failure at the
 * list naming every constraint of its members, as AWS answers. At most ten are listed. A sensitive
 * value is left out (`Value at 'environment.variables' …`), as AWS leaves it out.
 */
import { AwsError } from "./aws-error.js";
import { matchesPattern } from "./model-pattern.js";
import {
  memberPath,
  operationInput,
  type ServiceModel,
  type Shape,
  type StructureShape,
  shapeOf,
} from "./service-model.js";
import {
  boundOf,
  describeConstraints,
  enumConstraint,
  javaText,
  maxConstraint,
  minConstraint,
  patternConstraint,
} from "./validation-text.js";

export interface ValidationViolation {
  /** The member as AWS names it: `functionName`, `vpcConfig.subnetIds`, `targets.1.member.id`. */
  readonly path: string;
  /** The rejected value as AWS prints it; `null` for a missing member; left out when sensitive. */
  readonly value: string | null | undefined;
  readonly constraint: string;
}

/** AWS stops listing after this many. */
export const maxListedViolations = 10;

/**
 * The error code each service answers a constraint failure with, where it is not the protocol's
 * default (`ValidationError` for awsQuery, `ValidationException` otherwise). CloudWatch Logs
 * answers `InvalidParameterException` (recorded: test_logs_events, test_logs_metric_filters).
 */
const errorCodeByService: Readonly<Record<string, string>> = {
  logs: "InvalidParameterException",
};

export function validationErrorCode(model: ServiceModel): string {
  return (
    errorCodeByService[model.id] ??
    (model.protocol === "awsQuery" ? "ValidationError" : "ValidationException")
  );
}

/** Every constraint the input breaks, in AWS's order, up to the ten AWS lists. */
export function findValidationErrors(
  model: ServiceModel,
  operation: string,
  input: Readonly<Record<string, unknown>>,
): ValidationViolation[] {
  const { input: shape } = operationInput(model, operation);
  const out: ValidationViolation[] = [];
  if (shape) checkStructure(model, shape, input, "", out);
  return out.slice(0, maxListedViolations);
}

/** `N validation error(s) detected: …; …`, the text AWS sends. */
export function validationMessage(violations: readonly ValidationViolation[]): string {
  const listed = violations.slice(0, maxListedViolations);
  const lines = listed.map(
    (v) => `Value ${valueText(v.value)}at '${v.path}' failed to satisfy constraint: ${v.constraint}`,
  );
  return `${listed.length} validation error${listed.length === 1 ? "" : "s"} detected: ${lines.join("; ")}`;
}

function valueText(value: string | null | undefined): string {
  return value === undefined ? "" : value === null ? "null " : `'${value}' `;
}

/** The error the service answers for these violations (400, with the service's code). */
export function validationFailure(model: ServiceModel, violations: readonly ValidationViolation[]): AwsError {
  return new AwsError(validationErrorCode(model), validationMessage(violations), 400);
}

/** Throws AWS's validation error if the input breaks any constraint of its operation's model. */
export function validateInput(
  model: ServiceModel,
  operation: string,
  input: Readonly<Record<string, unknown>>,
): void {
  const violations = findValidationErrors(model, operation, input);
  if (violations.length > 0) throw validationFailure(model, violations);
}

type Sink = ValidationViolation[];

function checkStructure(
  model: ServiceModel,
  shape: StructureShape,
  value: Readonly<Record<string, unknown>>,
  path: string,
  out: Sink,
): void {
  for (const [name, ref] of Object.entries(shape.members)) {
    const member = value[name];
    const at = memberPath(path, name);
    if (member === undefined || member === null) {
      if (shape.required?.includes(name)) {
        const value = shapeOf(model, ref.shape).sensitive ? undefined : null;
        out.push({ path: at, value, constraint: "Member must not be null" });
      }
      continue;
    }
    checkValue(model, ref.shape, member, at, out);
  }
}

function checkValue(model: ServiceModel, shapeName: string, value: unknown, path: string, out: Sink): void {
  const shape = shapeOf(model, shapeName);
  const text = shape.sensitive ? undefined : javaText(model, shapeName, value);
  const fail = (constraint: string) => out.push({ path, value: text, constraint });
  switch (shape.type) {
    case "structure":
      if (isRecord(value)) checkStructure(model, shape, value, path, out);
      return;
    case "list": {
      if (!Array.isArray(value)) return;
      for (const constraint of scalarViolations(shape, value)) fail(constraint);
      checkMembers(model, shape.member.shape, value.entries(), path, "Member", fail, out);
      return;
    }
    case "map": {
      if (!isRecord(value)) return;
      for (const constraint of scalarViolations(shape, value)) fail(constraint);
      const keys = Object.keys(value);
      if (keys.some((key) => scalarViolations(shapeOf(model, shape.key.shape), key).length > 0)) {
        fail(`Map keys must satisfy constraint: [${describeConstraints(model, shape.key.shape).join(", ")}]`);
      }
      checkMembers(model, shape.value.shape, Object.entries(value), path, "Map value", fail, out);
      return;
    }
    default:
      for (const constraint of scalarViolations(shape, value)) fail(constraint);
  }
}

/**
 * A collection's members: structures and collections are checked one by one at
 * `path.<index or key>.member`; scalars all at once, as one failure at the collection.
 */
function checkMembers(
  model: ServiceModel,
  memberShape: string,
  entries: Iterable<[number | string, unknown]>,
  path: string,
  noun: "Member" | "Map value",
  fail: (constraint: string) => void,
  out: Sink,
): void {
  const shape = shapeOf(model, memberShape);
  const nested = shape.type === "structure" || shape.type === "list" || shape.type === "map";
  let scalarFailed = false;
  for (const [at, item] of entries) {
    if (item === undefined || item === null) continue;
    if (nested) {
      const step = typeof at === "number" ? at + 1 : at;
      checkValue(model, memberShape, item, `${path}.${step}.member`, out);
    } else if (!scalarFailed && scalarViolations(shape, item).length > 0) {
      scalarFailed = true;
    }
  }
  if (scalarFailed) {
    fail(`${noun} must satisfy constraint: [${describeConstraints(model, memberShape).join(", ")}]`);
  }
}

/**
 * How long a string may be and still be matched against its pattern: the shape's own maximum, with
 * room to report both failures for a value a little too long (as AWS does), but not a request body
 * of megabytes. Some model patterns backtrack badly (`arn:aws(-[\w]+)*:.+:.+:…` took 48 s on a
 * 750 KB value), and the edge runs them on input from anyone holding a key.
 */
function patternLimit(shape: Shape): number {
  const max = "max" in shape && shape.max !== undefined ? shape.max : 0;
  return Math.max(4 * max, 4096);
}

/** The constraints a scalar (or a collection's size) breaks, each worded as AWS words it. */
function scalarViolations(shape: Shape, value: unknown): string[] {
  const out: string[] = [];
  if (shape.type === "string" && typeof value === "string" && value.length <= patternLimit(shape)) {
    if (shape.pattern !== undefined && !matchesPattern(shape.pattern, value)) {
      out.push(patternConstraint(shape.pattern));
    }
  }
  const bound = boundOf(shape);
  const measured = bound === "length" ? lengthOf(value) : typeof value === "number" ? value : undefined;
  if (measured !== undefined && "min" in shape && shape.min !== undefined && measured < shape.min) {
    out.push(minConstraint(shape, shape.min));
  }
  if (measured !== undefined && "max" in shape && shape.max !== undefined && measured > shape.max) {
    out.push(maxConstraint(shape, shape.max));
  }
  if (shape.type === "string" && shape.enum !== undefined && typeof value === "string") {
    const known = shape.enumIgnoresCase
      ? shape.enum.some((allowed) => allowed.toLowerCase() === value.toLowerCase())
      : shape.enum.includes(value);
    if (!known) out.push(enumConstraint(shape.enum));
  }
  return out;
}

function lengthOf(value: unknown): number | undefined {
  if (typeof value === "string" || Array.isArray(value)) return value.length;
  if (value instanceof Uint8Array) return value.byteLength;
  if (isRecord(value)) return Object.keys(value).length;
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    !(value instanceof Date)
  );
}
