/**
 * A JSON request body (awsJson1_0, awsJson1_1, a restJson1 body) read into its operation's input
 * shape, as AWS's Java deserialiser reads it: a value of the wrong JSON type is refused with a
 * `SerializationException` before any constraint is checked, in AWS's words (recorded for API
 * Gateway: "class java.lang.Boolean can not be converted to an String"). Blobs arrive as base64
 * and leave as Buffers, timestamps as epoch seconds and leave as Dates; unknown members and
 * nulls are dropped.
 */
import { commonErrors } from "./aws-error.js";
import {
  operationInput,
  type ServiceModel,
  type Shape,
  type StructureShape,
  shapeOf,
} from "./service-model.js";

const bigNumber = "com.amazon.coral.value.json.numbers.TruncatingBigNumber";
/** The Java class AWS's messages name for each scalar type. */
export const javaTypes: Readonly<Record<string, string>> = {
  string: "String",
  integer: "Integer",
  long: "Long",
  float: "Float",
  double: "Double",
  boolean: "Boolean",
  timestamp: "Date",
};

/** The operation's input from a parsed JSON body. */
export function decodeJsonInput<T = Record<string, unknown>>(
  model: ServiceModel,
  operation: string,
  body: Readonly<Record<string, unknown>>,
): T {
  const { input } = operationInput(model, operation);
  return (input ? decodeJsonStructure(model, input, body) : {}) as T;
}

/** The body members of a structure (members bound to the URI, query or headers are skipped). */
export function decodeJsonStructure(
  model: ServiceModel,
  shape: StructureShape,
  raw: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(shape.members)) {
    if (ref.location !== undefined) continue;
    const value = raw[ref.locationName ?? name];
    if (value === undefined || value === null) continue;
    out[name] = decodeJsonValue(model, ref.shape, value);
  }
  return out;
}

/** One JSON value read as the named shape, or AWS's SerializationException. */
export function decodeJsonValue(model: ServiceModel, shapeName: string, value: unknown): unknown {
  const shape = shapeOf(model, shapeName);
  const refuse = (message: string) => commonErrors.serialization(message);
  if (Array.isArray(value) && shape.type !== "list") throw refuse("Start of list found where not expected");
  if (isObject(value) && shape.type !== "map" && shape.type !== "structure") {
    throw refuse("Start of structure or map found where not expected.");
  }
  switch (shape.type) {
    case "structure":
      if (!isObject(value)) throw refuse("Expected null");
      return decodeJsonStructure(model, shape, value);
    case "list":
      if (!Array.isArray(value)) {
        throw refuse(
          isObject(value) ? "Start of structure or map found where not expected." : "Expected list or null",
        );
      }
      return value.map((item) => (item === null ? null : decodeJsonValue(model, shape.member.shape, item)));
    case "map": {
      if (!isObject(value)) throw refuse("Expected map or null");
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        if (item !== null) out[key] = decodeJsonValue(model, shape.value.shape, item);
      }
      return out;
    }
    default:
      return decodeJsonScalar(shape, value, refuse);
  }
}

function decodeJsonScalar(shape: Shape, value: unknown, refuse: (message: string) => Error): unknown {
  const target = javaTypes[shape.type] ?? shape.type;
  const article = shape.type === "blob" ? "a Blob" : `an ${target}`;
  const wrongType = () => {
    const from =
      typeof value === "boolean"
        ? "java.lang.Boolean"
        : typeof value === "number"
          ? bigNumber
          : "java.lang.String";
    return refuse(`class ${from} can not be converted to ${article}`);
  };
  switch (shape.type) {
    case "string":
      if (typeof value !== "string") throw wrongType();
      return value;
    case "boolean":
      if (typeof value === "string")
        throw refuse(`'${value.toUpperCase()}' can not be converted to an Boolean`);
      if (typeof value !== "boolean") throw wrongType();
      return value;
    case "integer":
    case "long":
      if (typeof value !== "number") throw wrongType();
      return Math.trunc(value);
    case "float":
    case "double":
      if (typeof value !== "number") throw wrongType();
      return value;
    case "timestamp": {
      if (typeof value === "number") return new Date(value * 1000);
      if (typeof value !== "string" || Number.isNaN(Date.parse(value))) throw wrongType();
      return new Date(value);
    }
    case "blob":
      if (typeof value !== "string") throw wrongType();
      return decodeBase64Blob(value, refuse);
    default:
      return value;
  }
}

/** Strict base64, as AWS reads a blob member. */
export function decodeBase64Blob(text: string, refuse: (message: string) => Error): Buffer {
  const prefix = `'${text}' can not be converted to a Blob: `;
  if (text.length % 4 !== 0) {
    throw refuse(
      `${prefix}Base64 encoded length is expected a multiple of 4 bytes but found: ${text.length}`,
    );
  }
  const bad = /[^A-Za-z0-9+/=]|=[^=]/.exec(text);
  if (bad) throw refuse(`${prefix}Invalid Base64 character: '${bad[0][0]}'`);
  return Buffer.from(text, "base64");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
