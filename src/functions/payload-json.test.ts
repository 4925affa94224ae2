import { describe, expect, it } from "vitest";
import { payloadJsonError } from "./payload-json.js";

const prefix = "Could not parse request body into json: Could not parse payload into json: ";
const where = (line: number, column: number) =>
  `\n at [Source: REDACTED (\`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION\` disabled); line: ${line}, column: ${column}]`;
const expected = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

describe("payloadJsonError", () => {
  it("accepts JSON", () => {
    expect(payloadJsonError(Buffer.from('{"a": [1, "x", null]}'))).toBeUndefined();
    expect(payloadJsonError(Buffer.from(" 42 "))).toBeUndefined();
  });

  it("words a control byte first as Lambda does (the CLI v2 sending raw text as base64)", () => {
    expect(payloadJsonError(Buffer.from([0x99, 0xeb, 0x2c, 0x6a, 0x07, 0xa1, 0x7a, 0x59, 0x68]))).toBe(
      `${prefix}Unexpected character ((CTRL-CHAR, code 153)): expected a valid value ${expected}${where(1, 1)}`,
    );
  });

  it("words a stray character or word, with its line and column", () => {
    expect(payloadJsonError(Buffer.from("\n  }"))).toBe(
      `${prefix}Unexpected character ('}' (code 125)): expected a valid value ${expected}${where(2, 3)}`,
    );
    expect(payloadJsonError(Buffer.from("hello world"))).toBe(
      `${prefix}Unrecognized token 'hello': was expecting ${expected}${where(1, 1)}`,
    );
  });

  it("falls back to the JavaScript parser's words past the first character", () => {
    expect(payloadJsonError(Buffer.from('{"a": }'))).toMatch(new RegExp(`^${prefix}.+`));
  });
});
