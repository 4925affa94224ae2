import { describe, expect, it } from "vitest";
import { type AliasRecord, checkAliasName, pickVersion, readWeights } from "./function-aliases.js";
import { referenceOf } from "./function-target.js";

const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return "accepted";
};

describe("alias names", () => {
  it("refuses names Lambda refuses: all digits, $LATEST, other characters, over 128", () => {
    for (const name of ["1", "007", "$LATEST", "has space", "a".repeat(129), "", 5]) {
      expect(
        codeOf(() => checkAliasName(name)),
        String(name),
      ).toBe("ValidationException");
    }
    for (const name of ["live", "v1", "1a", "blue-green_2"]) expect(checkAliasName(name)).toBe(name);
  });
});

describe("routing weights", () => {
  it("takes one other version with a weight from 0 to 1", () => {
    expect(readWeights({ AdditionalVersionWeights: { "2": 0.25 } }, "1")).toEqual({ "2": 0.25 });
    expect(readWeights({ AdditionalVersionWeights: {} }, "1")).toBeUndefined();
    expect(readWeights(undefined, "$LATEST")).toBeUndefined();
  });

  it("refuses what Lambda refuses", () => {
    const cases: Array<[unknown, string, string]> = [
      [{ "2": 0.1, "3": 0.1 }, "1", "InvalidParameterValueException"],
      [{ "2": 1.01 }, "1", "ValidationException"],
      [{ "2": -0.1 }, "1", "ValidationException"],
      [{ two: 0.1 }, "1", "ValidationException"],
      [{ "1": 0.1 }, "1", "InvalidParameterValueException"],
      [{ "1": 0.1 }, "$LATEST", "InvalidParameterValueException"],
    ];
    for (const [weights, primary, code] of cases) {
      expect(
        codeOf(() => readWeights({ AdditionalVersionWeights: weights }, primary)),
        JSON.stringify(weights),
      ).toBe(code);
    }
  });

  it("sends an invocation to the weighted version with its probability", () => {
    const alias: AliasRecord = {
      name: "live",
      functionVersion: "1",
      description: "",
      weights: { "2": 0.3 },
      revisionId: "r",
    };
    expect(pickVersion(alias, () => 0.29)).toBe("2");
    expect(pickVersion(alias, () => 0.3)).toBe("1");
    expect(pickVersion({ ...alias, weights: { "2": 0 } }, () => 0)).toBe("1");
    expect(pickVersion({ ...alias, weights: { "2": 1 } }, () => 0.999)).toBe("2");
  });
});

describe("qualifiers", () => {
  it("reads the qualifier from the name, the ARN or the Qualifier parameter, and refuses a mismatch", () => {
    expect(referenceOf("fn", null)).toEqual({ name: "fn" });
    expect(referenceOf("fn:live", null)).toEqual({ name: "fn", qualifier: "live" });
    expect(referenceOf("arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST", "")).toEqual({
      name: "fn",
      qualifier: "$LATEST",
      region: "us-east-1",
      accountId: "123456789012",
    });
    expect(referenceOf("123456789012:function:fn", "3")).toEqual({
      name: "fn",
      qualifier: "3",
      accountId: "123456789012",
    });
    // Every part of the pattern is optional, the `function:` too: this ARN names `function`.
    expect(referenceOf("arn:aws:lambda:us-east-1:123456789012:function", null)).toEqual({
      name: "function",
      region: "us-east-1",
      accountId: "123456789012",
    });
    expect(referenceOf("fn:3", "3")).toEqual({ name: "fn", qualifier: "3" });
    expect(codeOf(() => referenceOf("fn:3", "4"))).toBe("InvalidParameterValueException");
    expect(codeOf(() => referenceOf("fn", "no spaces"))).toBe("ValidationException");
    expect(codeOf(() => referenceOf("fn:a:b", null))).toBe("ValidationException");
  });
});
