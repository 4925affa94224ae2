import { describe, expect, it } from "vitest";
import { setAside, touches } from "./recorded-runner.js";

describe("setAside", () => {
  const configuration = {
    FunctionName: "fn",
    SnapStart: { ApplyOn: "None" },
    Nested: [{ SnapStart: 1, Keep: true }],
  };

  it("removes a key at any depth with **, in lists too, and keeps the rest", () => {
    expect(setAside("create_response", configuration, ["**.SnapStart"])).toEqual({
      FunctionName: "fn",
      Nested: [{ Keep: true }],
    });
  });

  it("reads the label as the first part, with * standing for any text in a part", () => {
    const answer = { Configuration: { RevisionId: "r", Runtime: "python3.12" } };
    expect(setAside("get_function_fn8", answer, ["get_function_*.Configuration.RevisionId"])).toEqual({
      Configuration: { Runtime: "python3.12" },
    });
    // Another label is left whole, and a path that names a deeper key does not take its parent.
    expect(setAside("get_policy", answer, ["get_function_*.Configuration.RevisionId"])).toEqual(answer);
    expect(
      setAside("get_function_fn8", answer, ["get_function_fn8.Configuration.RevisionId.Deeper"]),
    ).toEqual(answer);
  });

  it("reads dots as separating parts: a key that holds a dot is not named by them", () => {
    const answer = { "Error.Message": "kept", Error: { Message: "gone" } };
    expect(setAside("call", answer, ["call.Error.Message"])).toEqual({ "Error.Message": "kept", Error: {} });
  });

  it("tells whether the paths name anything, so a supersession touches only answers that have them", () => {
    expect(touches("create_response", configuration, ["**.SnapStart"])).toBe(true);
    expect(touches("create_response", { FunctionName: "fn" }, ["**.SnapStart"])).toBe(false);
    expect(touches("get_policy", { RevisionId: "r" }, ["get_function_*.Configuration.RevisionId"])).toBe(
      false,
    );
  });
});
