// Zero to 100 and back to zero: a burst of 100 concurrent invocations runs in 100 environments at
// once, the metrics show them, and they are all gone after the idle period. And a function on the
// real server cannot read Jeff's data directory or another function's code, nor start a process.
import { readFileSync } from "node:fs";
import { Agent } from "node:http";
import { join } from "node:path";
import { GetFunctionCommand, InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JeffProcess, startJeff } from "./jeff-process.js";
import { createNodeFunction, decode, lambdaClientFor, text, until } from "./lambda-helpers.js";

const burst = 100;
let jeff: JeffProcess;
let lambda: LambdaClient;

const createFunction = (name: string, source: string) =>
  createNodeFunction(lambda, jeff.accountId, name, source, { Timeout: 60 });

async function metric(name: string): Promise<number> {
  const body = await (await fetch(`${jeff.url}/_jeff/metrics`)).text();
  const match = new RegExp(`^${name.replace(/[{}]/g, "\\$&")} (\\d+)$`, "m").exec(body);
  return match ? Number(match[1]) : 0;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  jeff = await startJeff({ env: { JEFF_FUNCTION_IDLE_MS: "4000" } });
  lambda = lambdaClientFor(jeff, {
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: burst }) }),
  });
});
afterAll(async () => {
  await jeff?.stop();
});

describe("scaling", () => {
  it(`runs ${burst} concurrent invocations at once, then goes back to zero environments`, async () => {
    await createFunction(
      "sleeper",
      `export const handler = async (event) => {
  const start = Date.now();
  await new Promise((r) => setTimeout(r, event.ms));
  return { pid: process.pid, start, end: Date.now() };
};`,
    );
    const run = async (ms: number) => {
      const results = await Promise.all(
        Array.from({ length: burst }, () =>
          lambda.send(new InvokeCommand({ FunctionName: "sleeper", Payload: text(JSON.stringify({ ms })) })),
        ),
      );
      return results.map((r) => JSON.parse(decode(r.Payload)) as { pid: number; start: number; end: number });
    };
    // Cold: the sleep outlasts every cold start, so no environment is free to be reused mid-burst.
    const cold = await run(8000);
    expect(new Set(cold.map((r) => r.pid)).size).toBe(burst);
    expect(await metric('jeff_function_environments{state="idle"}')).toBe(burst);
    expect(await metric('jeff_function_init_duration_seconds_count{function="sleeper"}')).toBe(burst);

    // Warm: the same environments take the next burst, all of them running at one moment.
    const warm = await run(1500);
    expect(new Set(warm.map((r) => r.pid))).toEqual(new Set(cold.map((r) => r.pid)));
    const lastStart = Math.max(...warm.map((r) => r.start));
    const firstEnd = Math.min(...warm.map((r) => r.end));
    expect(lastStart).toBeLessThan(firstEnd);
    expect(await metric('jeff_function_invocations_total{function="sleeper",type="RequestResponse"}')).toBe(
      2 * burst,
    );
    expect(await metric('jeff_function_init_duration_seconds_count{function="sleeper"}')).toBe(burst);

    // Idle: every environment is reaped and its process has exited.
    await until(
      async () =>
        (await metric('jeff_function_environments{state="idle"}')) === 0 &&
        (await metric('jeff_function_environments{state="busy"}')) === 0,
      "the environments were never reaped",
    );
    await until(async () => !cold.some((r) => alive(r.pid)), "an environment's process outlived it");
  }, 120_000);
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
    const event = { store: join(jeff.dataDir, "jeff.db"), neighbour: neighbourCode };
    // Both exist and Jeff's user can read them: only the sandbox stands in the way.
    expect(readFileSync(event.store).length).toBeGreaterThan(0);
    expect(readFileSync(event.neighbour, "utf8")).toContain('"mine"');
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: "snoop", Payload: text(JSON.stringify(event)) }),
    );
    expect(out.FunctionError).toBeUndefined();
    // In the sandbox neither file exists for the function at all; as a plain process, Node's
    // permission model refuses them.
    const health = (await (await fetch(`${jeff.url}/_jeff/health`)).json()) as { isolation: string };
    const unseen = health.isolation === "sandbox" ? "ENOENT" : "ERR_ACCESS_DENIED";
    expect(JSON.parse(decode(out.Payload))).toEqual({
      store: unseen,
      neighbour: unseen,
      spawn: "ERR_ACCESS_DENIED",
      env: [],
    });
  });
});
