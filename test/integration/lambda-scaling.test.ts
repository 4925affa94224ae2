// Zero to 100 and back to zero: a burst of 100 invocations runs in 100 environments at once, the
// function's reserved concurrency is honoured, and every environment and its process is gone after
// the idle period. And a function on the real server cannot read Jeff's data directory or another
// function's code, nor start a process.
//
// Nothing here depends on how fast the machine is: the invocations wait at a barrier until all
// 100 are running, and every wait is for a condition, with a deadline only to fail rather than hang.

import { readFileSync } from "node:fs";
import { Agent } from "node:http";
import { join } from "node:path";
import {
  GetFunctionCommand,
  InvokeCommand,
  type LambdaClient,
  PutFunctionConcurrencyCommand,
} from "@aws-sdk/client-lambda";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeFileIn } from "../stores.js";
import { type JeffProcess, startJeff } from "./jeff-process.js";
import {
  barrierHandler,
  childrenOf,
  createNodeFunction,
  decode,
  failure,
  freeLoopbackPort,
  isSandboxed,
  lambdaClientFor,
  startBarrier,
  text,
} from "./lambda-helpers.js";
import { until } from "./until.js";

const burst = 100;
let jeff: JeffProcess;
let lambda: LambdaClient;
let barrierPort: number;

// Lambda's longest timeout: a cold start on a loaded machine never counts against the test.
const createFunction = (name: string, source: string) =>
  createNodeFunction(lambda, jeff.accountId, name, source, { Timeout: 900 });

async function metric(name: string): Promise<number> {
  const body = await (await fetch(`${jeff.url}/_jeff/metrics`)).text();
  const match = new RegExp(`^${name.replace(/[{}]/g, "\\$&")} (\\d+)$`, "m").exec(body);
  return match ? Number(match[1]) : 0;
}

beforeAll(async () => {
  barrierPort = await freeLoopbackPort();
  jeff = await startJeff({
    env: { JEFF_FUNCTION_IDLE_MS: "4000", JEFF_FUNCTION_LOOPBACK_PORTS: String(barrierPort) },
  });
  lambda = lambdaClientFor(jeff, {
    // One socket per invocation of the burst, and one more for the call that must be throttled.
    requestHandler: new NodeHttpHandler({
      httpAgent: new Agent({ keepAlive: true, maxSockets: burst + 1 }),
    }),
  });
});
afterAll(async () => {
  await jeff?.stop();
});

describe("scaling", () => {
  it(`runs ${burst} invocations at once within the reserved concurrency, then goes back to zero`, async () => {
    await createFunction("gathered", barrierHandler);
    await lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: "gathered", ReservedConcurrentExecutions: burst }),
    );
    const barrier = await startBarrier(barrierPort);
    try {
      const payload = text(JSON.stringify({ barrier: barrier.url }));
      const invocations = Array.from({ length: burst }, () =>
        lambda.send(new InvokeCommand({ FunctionName: "gathered", Payload: payload })),
      );
      // All of them are running at one moment: each waits at the barrier until the last arrives.
      await until(
        () => barrier.arrivals.length === burst,
        () => `all ${burst} invocations to be running at once (${barrier.arrivals.length} are)`,
        240_000,
      );
      expect(new Set(barrier.arrivals).size).toBe(burst);
      expect(await metric('jeff_function_environments{state="busy"}')).toBe(burst);
      expect(await metric("jeff_function_concurrent_executions")).toBe(burst);

      // The function's reserved concurrency is taken: one more is refused, and never runs.
      const over = await failure(
        lambda.send(new InvokeCommand({ FunctionName: "gathered", Payload: payload })),
      );
      expect(over).toMatchObject({
        name: "TooManyRequestsException",
        Reason: "ReservedFunctionConcurrentInvocationLimitExceeded",
      });
      expect(over.$metadata.httpStatusCode).toBe(429);
      expect(await metric('jeff_function_throttles_total{function="gathered"}')).toBe(1);

      barrier.release();
      const results = await Promise.all(invocations);
      expect(results.map((r) => r.FunctionError)).toEqual(Array(burst).fill(undefined));
      const environments = results.map(
        (r) => (JSON.parse(decode(r.Payload)) as { environment: string }).environment,
      );
      expect(new Set(environments)).toEqual(new Set(barrier.arrivals));
      expect(barrier.arrivals).toHaveLength(burst);
      expect(await metric('jeff_function_init_duration_seconds_count{function="gathered"}')).toBe(burst);
      expect(
        await metric('jeff_function_invocations_total{function="gathered",type="RequestResponse"}'),
      ).toBe(burst);

      // Idle: every environment is reaped and its process has exited.
      await until(
        async () =>
          (await metric('jeff_function_environments{state="idle"}')) === 0 &&
          (await metric('jeff_function_environments{state="busy"}')) === 0,
        "the environments to be reaped",
        120_000,
      );
      // Every sandbox (and the pasta beside it) is a child of Jeff's: none may be left.
      await until(
        () => childrenOf(jeff.child.pid!).length === 0,
        "every environment's process to exit",
        120_000,
      );
      expect(await metric("jeff_function_concurrent_executions")).toBe(0);
    } finally {
      await barrier.close();
    }
  }, 600_000);
});

describe("isolation on the real server", () => {
  it("denies a function Jeff's data directory, another function's code and child processes", async () => {
    await createFunction("neighbour", `export const handler = async () => "mine";`);
    await createFunction(
      "snoop",
      `import { readFileSync } from "node:fs";
import { execSync } from "node:child_process";
const attempt = (f) => { try { f(); return "allowed"; } catch (e) { return e.code; } };
export const handler = async (event) => ({
  store: attempt(() => readFileSync(event.store)),
  neighbour: attempt(() => readFileSync(event.neighbour)),
  spawn: attempt(() => execSync("id")),
  env: Object.keys(process.env).filter((k) => k.startsWith("JEFF_")),
});`,
    );
    const sha = (await lambda.send(new GetFunctionCommand({ FunctionName: "neighbour" }))).Configuration!
      .CodeSha256!;
    const neighbourCode = join(
      jeff.dataDir,
      "functions/code",
      jeff.accountId,
      Buffer.from(sha, "base64").toString("hex"),
      "index.mjs",
    );
    const event = { store: storeFileIn(jeff.dataDir), neighbour: neighbourCode };
    // Both exist and Jeff's user can read them: only the sandbox stands in the way.
    expect(readFileSync(event.store).length).toBeGreaterThan(0);
    expect(readFileSync(event.neighbour, "utf8")).toContain('"mine"');
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: "snoop", Payload: text(JSON.stringify(event)) }),
    );
    expect(out.FunctionError).toBeUndefined();
    // In the sandbox neither file exists for the function at all; as a plain process, Node's
    // permission model refuses them.
    const unseen = (await isSandboxed(jeff)) ? "ENOENT" : "ERR_ACCESS_DENIED";
    expect(JSON.parse(decode(out.Payload))).toEqual({
      store: unseen,
      neighbour: unseen,
      spawn: "ERR_ACCESS_DENIED",
      env: [],
    });
  });
});
