import { describe, expect, it } from "vitest";
import { parseSubString, splitSubVariable } from "./sub-string.js";

describe("parseSubString", () => {
  it.each([
    ["plain", [{ kind: "text", text: "plain" }]],
    ["${A}", [{ kind: "variable", name: "A" }]],
    [
      "a-${B.Arn}-c",
      [
        { kind: "text", text: "a-" },
        { kind: "variable", name: "B.Arn" },
        { kind: "text", text: "-c" },
      ],
    ],
    [
      "${AWS::Region}${X}",
      [
        { kind: "variable", name: "AWS::Region" },
        { kind: "variable", name: "X" },
      ],
    ],
    ["${!Literal}", [{ kind: "text", text: "${Literal}" }]],
    [
      "${!A} ${B}",
      [
        { kind: "text", text: "${A} " },
        { kind: "variable", name: "B" },
      ],
    ],
    ["$ {x} $x }", [{ kind: "text", text: "$ {x} $x }" }]],
    ["tail ${open", [{ kind: "text", text: "tail ${open" }]],
    ["", []],
  ])("%j", (source, parts) => {
    expect(parseSubString(source)).toEqual({ ok: true, parts });
  });

  it.each(["${}", "${a b}", "${a-b}", "x ${ A }"])("rejects the variable in %j", (source) => {
    const result = parseSubString(source);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.message).toMatch(/alphanumeric characters, underscores, periods, and colons/);
  });
});

describe("splitSubVariable", () => {
  it.each([
    ["Param", { target: "Param" }],
    ["AWS::Region", { target: "AWS::Region" }],
    ["Res.Arn", { target: "Res", attribute: "Arn" }],
    ["Db.Endpoint.Address", { target: "Db", attribute: "Endpoint.Address" }],
  ])("%s", (name, expected) => {
    expect(splitSubVariable(name)).toEqual(expected);
  });
});
