import { describe, expect, it } from "vitest";
import type { FunctionSpec } from "./execution-environment.js";
import { slotKindOf } from "./slot-pool.js";

const spec = (overrides: Partial<FunctionSpec> = {}): FunctionSpec => ({
  name: "f",
  arn: "arn:aws:lambda:us-east-1:000000000000:function:f",
  version: "$LATEST",
  runtime: "nodejs20.x",
  handler: "index.handler",
  codeDir: "/code",
  codeSha256: "sha",
  timeoutSeconds: 3,
  memoryMb: 128,
  environment: {},
  ...overrides,
});

describe("slotKindOf", () => {
  it("is the runtime, memory, /tmp size and the operator's allowances: what a sandbox fixes at its start", () => {
    expect(slotKindOf(spec({ memoryMb: 256, tmpMb: 1024 }), ["worker", "addons"])).toEqual({
      runtime: "nodejs20.x",
      memoryMb: 256,
      tmpMb: 1024,
      allow: ["addons", "worker"],
    });
    expect(slotKindOf(spec({ runtime: "python3.12", environment: { TABLE: "t", PATH: "/x" } }), [])).toEqual({
      runtime: "python3.12",
      memoryMb: 128,
      allow: [],
    });
  });

  it("has none for a bootstrap of the function's own, or for variables read only as a process starts", () => {
    expect(slotKindOf(spec({ runtime: "provided.al2023" }), [])).toBeUndefined();
    for (const name of [
      "NODE_OPTIONS",
      "NODE_EXTRA_CA_CERTS",
      "PYTHONPATH",
      "PYTHONWARNINGS",
      "LANG",
      "LC_ALL",
      "LD_PRELOAD",
      "AWS_LAMBDA_EXEC_WRAPPER",
      "UV_THREADPOOL_SIZE",
    ]) {
      expect(slotKindOf(spec({ environment: { [name]: "x" } }), []), name).toBeUndefined();
    }
  });
});
