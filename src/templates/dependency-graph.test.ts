import { describe, expect, it } from "vitest";
import { deletionOrder, findCycles, type GraphNode, topologicalOrder } from "./dependency-graph.js";

const graph = (spec: Record<string, string[]>): GraphNode[] =>
  Object.entries(spec).map(([id, dependsOn]) => ({ id, dependsOn }));

describe("topologicalOrder", () => {
  it.each<[string, Record<string, string[]>, string[]]>([
    ["independent nodes keep template order", { C: [], A: [], B: [] }, ["C", "A", "B"]],
    ["a dependency goes first", { Fn: ["Role"], Role: [] }, ["Role", "Fn"]],
    ["a chain", { A: ["B"], B: ["C"], C: [] }, ["C", "B", "A"]],
    [
      "ties among ready nodes go in template order",
      { Api: ["Fn"], Table: [], Fn: ["Role", "Table"], Role: [] },
      ["Table", "Role", "Fn", "Api"],
    ],
    ["a diamond", { D: ["B", "C"], B: ["A"], C: ["A"], A: [] }, ["A", "B", "C", "D"]],
    ["unknown and repeated ids are ignored", { A: ["Missing", "B", "B"], B: [] }, ["B", "A"]],
    ["an empty graph", {}, []],
  ])("%s", (_name, spec, expected) => {
    expect(topologicalOrder(graph(spec))).toEqual({ ok: true, order: expected });
  });

  it("reports cycles instead of an order", () => {
    expect(topologicalOrder(graph({ A: ["B"], B: ["A"], C: [] }))).toEqual({
      ok: false,
      cycles: [["A", "B"]],
    });
  });

  it("orders a long chain without overflowing the stack", () => {
    const nodes = Array.from({ length: 5000 }, (_, i) => ({
      id: `N${i}`,
      dependsOn: i === 0 ? [] : [`N${i - 1}`],
    }));
    const result = topologicalOrder(nodes);
    expect(result.ok && result.order[4999]).toBe("N4999");
    expect(findCycles(nodes)).toEqual([]);
  });
});

describe("deletionOrder", () => {
  it("deletes dependents before what they depend on", () => {
    expect(deletionOrder(graph({ Fn: ["Role"], Role: [], Rule: ["Fn"] }))).toEqual({
      ok: true,
      order: ["Rule", "Fn", "Role"],
    });
  });
});

describe("findCycles", () => {
  it.each<[string, Record<string, string[]>, string[][]]>([
    ["no cycle", { A: ["B"], B: [] }, []],
    ["a self reference", { A: ["A"], B: [] }, [["A"]]],
    ["two nodes", { A: ["B"], B: ["A"] }, [["A", "B"]]],
    ["three nodes, members in template order", { C: ["A"], B: ["C"], A: ["B"], D: ["A"] }, [["C", "B", "A"]]],
    [
      "two separate cycles",
      { A: ["B"], B: ["A"], C: ["D"], D: ["C"], E: ["A"] },
      [
        ["A", "B"],
        ["C", "D"],
      ],
    ],
  ])("%s", (_name, spec, expected) => {
    expect(findCycles(graph(spec))).toEqual(expected);
  });
});
