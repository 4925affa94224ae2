import { describe, expect, it } from "vitest";
import { compilePattern } from "./pattern-compile.js";

/** The refusal's message for `text`, after AWS's preamble. */
function reason(text: string): string {
  try {
    compilePattern(text);
  } catch (error) {
    return (error as Error).message.replace("Event pattern is not valid. Reason: ", "");
  }
  throw new Error(`accepted ${text}`);
}

const at = (text: string, column: number) => `\n at [Source: (String)"${text}"; line: 1, column: ${column}]`;

describe("refusals found while reading carry Jackson's position, as AWS answers them", () => {
  it("is past the offending value's first token: a number whole, a bracket, a string's opening quote", () => {
    const number = '{"int": 42}';
    expect(reason(number)).toBe(`"int" must be an object or an array${at(number, 11)}`);
    const list = '{"time": [{"prefix": ["2022-07-13"]}]}';
    expect(reason(list)).toBe(`prefix match pattern must be a string${at(list, 23)}`);
    const text = '{"a": "b"}';
    expect(reason(text)).toBe(`"a" must be an object or an array${at(text, 8)}`);
  });

  it("is past the closing bracket for an empty array and a numeric range missing its value", () => {
    const empty = '{"resources": []}';
    expect(reason(empty)).toBe(`Empty arrays are not allowed${at(empty, 17)}`);
    const range = '{"c": [{"numeric": [">", 0, "<"]}]}';
    expect(reason(range)).toBe(`Value of < must be numeric${at(range, 33)}`);
  });

  it("is past a string read whole for an empty anything-but prefix", () => {
    const prefix = '{"f": [{"anything-but": {"prefix": ""}}]}';
    expect(reason(prefix)).toBe(`Null prefix/suffix not allowed${at(prefix, 38)}`);
  });

  it("comes twice for what is found inside a list within anything-but", () => {
    const list = '{"s": [{"anything-but": ["stopped", null]}]}';
    expect(reason(list)).toBe(
      `Inside anything but list, start|null|boolean is not supported.${at(list, 41)}${at(list, 41)}`,
    );
  });

  it("counts lines and columns in a pattern over several lines", () => {
    const text = '{\n  "a": 1\n}';
    expect(reason(text)).toBe(
      `"a" must be an object or an array\n at [Source: (String)"${text}"; line: 2, column: 9]`,
    );
  });

  it("is absent from checks made after reading", () => {
    expect(reason('{"ip": [{"cidr": "10.0.0.0"}]}')).toBe("Malformed CIDR, one '/' required");
  });
});
