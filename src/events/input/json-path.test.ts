import { describe, expect, it } from "vitest";
import { parseJsonPath, selectJsonPath } from "./index.js";

const event = {
  "detail-type": "x",
  detail: { list: ["a", { id: 1 }], empty: [], nothing: null, "a/b": true, nested: { k: { v: 2 } } },
};

const select = (path: string) => {
  const parsed = parseJsonPath(path);
  if (parsed === undefined) throw new Error(`refused ${path}`);
  return selectJsonPath(event, parsed);
};

describe("selectJsonPath", () => {
  it("selects the root, fields, dashed and slashed names, and array elements", () => {
    expect(select("$")).toEqual({ found: true, value: event });
    expect(select("$.detail-type")).toEqual({ found: true, value: "x" });
    expect(select("$.detail.a/b")).toEqual({ found: true, value: true });
    expect(select("$.detail.list[1].id")).toEqual({ found: true, value: 1 });
    expect(select("$.detail.nested.k.v")).toEqual({ found: true, value: 2 });
  });

  it("tells a null value from nothing", () => {
    expect(select("$.detail.nothing")).toEqual({ found: true, value: null });
    expect(select("$.detail.missing")).toEqual({ found: false });
    expect(select("$.detail.list[2]")).toEqual({ found: false });
    expect(select("$.detail.list.id")).toEqual({ found: false });
    expect(select("$.detail-type[0]")).toEqual({ found: false });
  });

  it("selects a list for a path with a wildcard, empty when it reaches nothing", () => {
    expect(select("$.detail.list[*]")).toEqual({ found: true, value: ["a", { id: 1 }] });
    expect(select("$.detail.nested.*.v")).toEqual({ found: true, value: [2] });
    expect(select("$.detail.empty[*]")).toEqual({ found: true, value: [] });
  });
});
