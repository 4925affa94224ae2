/**
 * Scalars that travel as text (restJson1 URI labels, query parameters and headers; every awsQuery
 * parameter), read into the value their shape declares.
 */
import { commonErrors } from "./aws-error.js";
import { decodeBase64Blob, javaTypes } from "./json-input.js";
import type { Shape, TimestampFormat } from "./service-model.js";

/**
 * The text read as its shape's type; text that is not one is a `SerializationException`. A
 * timestamp is read in the member's format, else the shape's, else the location's default.
 */
export function decodeWireText(
  shape: Shape,
  text: string,
  memberFormat: TimestampFormat | undefined,
  locationDefault: TimestampFormat,
): unknown {
  const refuse = () =>
    commonErrors.serialization(`'${text}' can not be converted to an ${javaTypes[shape.type] ?? shape.type}`);
  switch (shape.type) {
    case "integer":
    case "long":
      if (!/^[+-]?\d+$/.test(text.trim())) throw refuse();
      return Number(text);
    case "float":
    case "double": {
      const value = Number(text);
      if (text.trim() === "" || Number.isNaN(value)) throw refuse();
      return value;
    }
    case "boolean":
      if (text === "true" || text === "false") return text === "true";
      throw refuse();
    case "timestamp": {
      const format = memberFormat ?? shape.timestampFormat ?? locationDefault;
      const millis = format === "unixTimestamp" ? Number(text) * 1000 : Date.parse(text);
      if (text.trim() === "" || Number.isNaN(millis)) throw refuse();
      return new Date(millis);
    }
    case "blob":
      return decodeBase64Blob(text, (message) => commonErrors.serialization(message));
    default:
      return text;
  }
}
