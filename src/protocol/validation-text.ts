/**
 * How AWS's validation messages print a value. The services are Java: a message shows the
 * rejected value as Java's `toString()` of the deserialised input, so a list is `[a, b]`, a map
 * `{k=v}`, a structure `MetricTransformation(metricName=m, metricValue=1, defaultValue=null)` and
 * a double `1.0`. Recorded answers show each of these.
 */
import { type ServiceModel, type Shape, shapeOf } from "./service-model.js";

/** Java's `Double.toString`: `1.0`, `0.25`, `1.0E7`, `1.5E-5`. */
export function javaDouble(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
  const magnitude = Math.abs(value);
  if (magnitude === 0 || (magnitude >= 1e-3 && magnitude < 1e7)) {
    const text = String(value);
    return text.includes(".") ? text : `${text}.0`;
  }
  const [mantissa = "", exponent = "0"] = value.toExponential().split("e");
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** A number as the shape's Java type prints it: integers plainly, floating types as doubles. */
export function javaNumber(shape: Shape | undefined, value: number): string {
  return shape?.type === "float" || shape?.type === "double" ? javaDouble(value) : String(value);
}

const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Java's `Date.toString()` in UTC: `Thu Jan 01 00:00:00 UTC 1970`. */
function javaDate(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
  return `${days[date.getUTCDay()]} ${months[date.getUTCMonth()]} ${two(date.getUTCDate())} ${time} UTC ${date.getUTCFullYear()}`;
}

/**
 * Members AWS's own Java classes have beyond the public model, which their `toString()` prints
 * last (null when the caller cannot send them), by service and shape. No public model declares
 * them — botocore's and the AWS SDK's of 2026 have neither on PutEventsRequestEntry —, so they
 * are no model supplement: a client cannot send them, and only this text shows them. Evidence:
 * PutEventsRequestEntry (recorded: test_put_events_exceed_limit_ten_entries, "…, traceHeader=null,
 * kmsKeyIdentifier=null, internalMetadata=null)").
 */
const javaOnlyMembers: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  events: { PutEventsRequestEntry: ["kmsKeyIdentifier", "internalMetadata"] },
};

/** The value as AWS prints it in `Value '…' at …`; `shapeName` gives structures their Java names. */
export function javaText(model: ServiceModel, shapeName: string | undefined, value: unknown): string {
  if (value === undefined || value === null) return "null";
  const shape = shapeName === undefined ? undefined : model.shapes[shapeName];
  if (typeof value === "number") return javaNumber(shape, value);
  if (typeof value === "string" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  if (value instanceof Date) return javaDate(value);
  if (value instanceof Uint8Array) {
    return `java.nio.HeapByteBuffer[pos=0 lim=${value.byteLength} cap=${value.byteLength}]`;
  }
  if (Array.isArray(value)) {
    const member = shape?.type === "list" ? shape.member.shape : undefined;
    return `[${value.map((item) => javaText(model, member, item)).join(", ")}]`;
  }
  if (typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (shape?.type === "structure" && shapeName !== undefined) {
      const members = Object.entries(shape.members).map(
        ([name, ref]) =>
          `${name.charAt(0).toLowerCase()}${name.slice(1)}=${javaText(model, ref.shape, record[name])}`,
      );
      for (const name of javaOnlyMembers[model.id]?.[shapeName] ?? []) members.push(`${name}=null`);
      return `${shapeName}(${members.join(", ")})`;
    }
    const valueShape = shape?.type === "map" ? shape.value.shape : undefined;
    const entries = Object.entries(record).map(([k, v]) => `${k}=${javaText(model, valueShape, v)}`);
    return `{${entries.join(", ")}}`;
  }
  return String(value);
}

/** Every constraint of a shape, worded as AWS lists them inside `Member must satisfy constraint: […]`. */
export function describeConstraints(model: ServiceModel, shapeName: string): string[] {
  const shape = shapeOf(model, shapeName);
  const out: string[] = [];
  if ("max" in shape && shape.max !== undefined) out.push(maxConstraint(shape, shape.max));
  if ("min" in shape && shape.min !== undefined) out.push(minConstraint(shape, shape.min));
  if (shape.type === "string" && shape.pattern !== undefined) out.push(patternConstraint(shape.pattern));
  if (shape.type === "string" && shape.enum !== undefined) out.push(enumConstraint(shape.enum));
  return out;
}

/** What a shape's `min` and `max` bound: a length (strings, blobs, lists, maps) or a value (numbers). */
export function boundOf(shape: Shape): "length" | "value" | undefined {
  switch (shape.type) {
    case "string":
    case "blob":
    case "list":
    case "map":
      return "length";
    case "integer":
    case "long":
    case "float":
    case "double":
      return "value";
    default:
      return undefined;
  }
}

export function minConstraint(shape: Shape, min: number): string {
  return `Member must have ${boundOf(shape)} greater than or equal to ${javaNumber(shape, min)}`;
}

export function maxConstraint(shape: Shape, max: number): string {
  return `Member must have ${boundOf(shape)} less than or equal to ${javaNumber(shape, max)}`;
}

export function patternConstraint(pattern: string): string {
  return `Member must satisfy regular expression pattern: ${pattern}`;
}

export function enumConstraint(values: readonly string[]): string {
  return `Member must satisfy enum value set: [${values.join(", ")}]`;
}
