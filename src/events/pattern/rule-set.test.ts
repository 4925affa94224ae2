import { describe, expect, it } from "vitest";
import {
  compilePattern,
  defaultPatternSizeLimit,
  InvalidEventPatternError,
  InvalidTestEventError,
  RuleSet,
  testEventPattern,
} from "./index.js";

const envelope = {
  id: "1",
  account: "123456789012",
  source: "app",
  time: "t",
  region: "eu-west-1",
  "detail-type": "T",
};
const event = (detail: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ ...envelope, ...extra, detail });

function refusal(run: () => unknown): InvalidEventPatternError {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidEventPatternError) return error;
    throw error;
  }
  throw new Error("accepted");
}

describe("RuleSet", () => {
  it("answers the ids of every matching rule, and follows rules added, replaced and removed", () => {
    const set = new RuleSet<string>()
      .set("orders", compilePattern('{"source": ["app"]}'))
      .set("big", compilePattern('{"detail": {"amount": [{"numeric": [">", 100]}]}}'))
      .set("other", compilePattern('{"source": ["else"]}'));
    expect(set.matches(event({ amount: 500 })).sort()).toEqual(["big", "orders"]);
    set.set("orders", compilePattern('{"source": ["nope"]}'));
    expect(set.matches(event({ amount: 500 }))).toEqual(["big"]);
    expect(set.delete("big")).toBe(true);
    expect(set.matches(event({ amount: 500 }))).toEqual([]);
    expect(set.size).toBe(2);
  });

  it("matches a rule made only of exists: false, and no event that is not a JSON object", () => {
    const set = new RuleSet<number>().set(1, compilePattern('{"detail": {"error": [{"exists": false}]}}'));
    expect(set.matches(event({ ok: true }))).toEqual([1]);
    expect(set.matches(event({ error: "boom" }))).toEqual([]);
    expect(set.matches("[1]")).toEqual([]);
    expect(set.matches("not json")).toEqual([]);
  });

  it("keeps rules that share their first conditions apart after them", () => {
    const set = new RuleSet<number>();
    for (let i = 0; i < 50; i++) {
      set.set(i, compilePattern(JSON.stringify({ source: ["app"], detail: { n: [{ numeric: ["=", i] }] } })));
    }
    expect(set.matches(event({ n: 7 }))).toEqual([7]);
    expect(set.matches(event({ n: [3, 9, 70] })).sort((a, b) => a - b)).toEqual([3, 9]);
  });

  it("combines fields of objects in an array only from one element (array consistency)", () => {
    const employees = {
      employees: [
        { first: "John", last: "Doe" },
        { first: "Anna", last: "Smith" },
      ],
    };
    const e = JSON.stringify({ ...envelope, detail: employees });
    expect(testEventPattern('{"detail": {"employees": {"first": ["Anna"], "last": ["Smith"]}}}', e)).toBe(
      true,
    );
    expect(testEventPattern('{"detail": {"employees": {"first": ["Anna"], "last": ["Doe"]}}}', e)).toBe(
      false,
    );
    expect(testEventPattern('{"detail": {"employees": {"first": ["Anna"]}}, "source": ["app"]}', e)).toBe(
      true,
    );
  });

  it("matches $or at any level", () => {
    const p = '{"source": ["app"], "$or": [{"detail": {"a": [1]}}, {"region": [{"prefix": "us-"}]}]}';
    expect(testEventPattern(p, event({ a: 1 }))).toBe(true);
    expect(testEventPattern(p, event({ a: 2 }))).toBe(false);
    expect(testEventPattern(p, event({ a: 2 }, { region: "us-east-1" }))).toBe(true);
  });
});

describe("compilePattern's limits", () => {
  it("refuses a pattern over the size quota, and takes a raised quota", () => {
    const long = JSON.stringify({ source: ["x".repeat(defaultPatternSizeLimit)] });
    expect(refusal(() => compilePattern(long)).code).toBe("InvalidEventPatternException");
    expect(compilePattern(long, { sizeLimit: 4096 }).alternatives).toHaveLength(1);
  });

  it("refuses $or that multiplies past 1,000 alternatives", () => {
    const or = (k: string) => Array.from({ length: 10 }, (_, i) => ({ [k]: [i] }));
    const p = JSON.stringify({ a: { $or: or("x") }, b: { $or: or("y") }, c: { $or: or("z") } });
    expect(compilePattern(p).alternatives).toHaveLength(1000);
    const more = JSON.stringify({
      a: { $or: or("x") },
      b: { $or: or("y") },
      c: { $or: or("z") },
      d: { $or: or("w") },
    });
    expect(refusal(() => compilePattern(more)).reason).toMatch(/^Rule is too complex/);
  });

  it("treats $or whose value is not a list of objects as a field of that name", () => {
    expect(testEventPattern('{"$or": ["x"]}', JSON.stringify({ ...envelope, $or: "x" }))).toBe(true);
  });

  it("locates a JSON syntax error on its line, as Jackson does", () => {
    // The column is the offending character's, 1-based, as in AWS's recorded syntax errors.
    expect(refusal(() => compilePattern('{\n  "a": [1,]\n}')).message).toMatch(
      /^Event pattern is not valid\. Reason: Unexpected character \(']' \(code 93\)\): .*\n at \[Source: \(String\)"\{\n {2}"a": \[1,\]\n\}"; line: 2, column: 11\]$/,
    );
  });

  it("refuses a test event without the envelope", () => {
    expect(() => testEventPattern('{"a": [1]}', '{"a": 1}')).toThrow(InvalidTestEventError);
  });
});
