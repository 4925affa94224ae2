import { describe, expect, it } from "vitest";
import { FilterPatternError, matchesTerms, parseFilterPattern } from "./filter-pattern.js";

const lines = [
  "START RequestId: 1",
  "ERROR something failed",
  "WARN disk almost full",
  "ERROR Exception in handler",
  "error in lower case",
  "INFO all is well",
];
const matching = (pattern: string) => {
  const terms = parseFilterPattern(pattern);
  return lines.filter((line) => terms === undefined || matchesTerms(line, terms));
};

describe("filter patterns", () => {
  it("matches every event for an empty or blank pattern", () => {
    expect(matching("")).toEqual(lines);
    expect(matching("   ")).toEqual(lines);
  });

  it("matches events holding every term, case-sensitively", () => {
    expect(matching("ERROR")).toEqual(["ERROR something failed", "ERROR Exception in handler"]);
    expect(matching("ERROR Exception")).toEqual(["ERROR Exception in handler"]);
  });

  it("matches events holding any ?term, and none of the -terms", () => {
    expect(matching("?ERROR ?WARN")).toEqual([
      "ERROR something failed",
      "WARN disk almost full",
      "ERROR Exception in handler",
    ]);
    expect(matching("ERROR -Exception")).toEqual(["ERROR something failed"]);
    expect(matching("-ERROR -START")).toEqual([
      "WARN disk almost full",
      "error in lower case",
      "INFO all is well",
    ]);
  });

  it("takes a quoted phrase as one term", () => {
    expect(matching('"something failed"')).toEqual(["ERROR something failed"]);
    expect(matching('?"all is well" ?"almost full"')).toEqual(["WARN disk almost full", "INFO all is well"]);
    expect(matching('"in handler" -"something"')).toEqual(["ERROR Exception in handler"]);
  });

  it("refuses the pattern kinds it does not know, by name", () => {
    expect(() => parseFilterPattern('{ $.level = "ERROR" }')).toThrow(FilterPatternError);
    expect(() => parseFilterPattern("[ip, user, ...]")).toThrow(/space-delimited/);
    expect(() => parseFilterPattern("%ERR.R%")).toThrow(/regular-expression/);
  });
});
