// Environments started ahead of need (`--prestart`, JEFF_FUNCTION_PRESTART=1): after a create or a
// change, the function's next environment is up before anyone invokes it, so the first invocation
// runs in an environment whose init already ran — through the API and through a stack alike; with
// pooled slots (`--warm-pool`), the environment started ahead is a slot given the function.
import {
  CreateFunctionCommand,
  InvokeCommand,
  type LambdaClient,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JeffProcess, startJeff } from "./jeff-process.js";
import { decode, isSandboxed, lambdaClientFor, startCollector, text } from "./lambda-helpers.js";
import { until } from "./until.js";

/** Reports its variable LABEL to the collector while it initialises, and answers when it did. */
const source = `const initialisedAt = Date.now();
await fetch(process.env.COLLECTOR, { method: "POST", body: JSON.stringify({ v: process.env.LABEL }) });
export const handler = async () => ({ initialisedAt, v: process.env.LABEL });`;

let jeff: JeffProcess;
let lambda: LambdaClient;
let collector: Awaited<ReturnType<typeof startCollector<{ v: string }>>>;

beforeAll(async () => {
  collector = await startCollector<{ v: string }>();
  jeff = await startJeff({ env: { ...collector.jeffEnv, JEFF_FUNCTION_PRESTART: "1" } });
  lambda = lambdaClientFor(jeff);
});

afterAll(async () => {
  await jeff?.stop();
  await collector?.close();
});

async function invokedAfterInit(name: string) {
  const sentAt = Date.now();
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: text("{}") }));
  expect(out.FunctionError).toBeUndefined();
  return { sentAt, ...(JSON.parse(decode(out.Payload)) as { initialisedAt: number; v: string }) };
}

describe("environments started ahead of need", () => {
  it("has a new function's and a changed function's environment up before the first invocation", async () => {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "ahead",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: `arn:aws:iam::${jeff.accountId}:role/lambda-role`,
        Code: { ZipFile: zipSync({ "index.mjs": text(source) }) },
        Environment: { Variables: { COLLECTOR: collector.url, LABEL: "first" } },
      }),
    );
    // Nobody has invoked it, and its environment has initialised.
    await until(() => collector.reports.some((r) => r.v === "first"), "no environment started ahead");
    const first = await invokedAfterInit("ahead");
    expect(first.v).toBe("first");
    expect(first.initialisedAt).toBeLessThan(first.sentAt);

    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: "ahead",
        Environment: { Variables: { COLLECTOR: collector.url, LABEL: "second" } },
      }),
    );
    await until(() => collector.reports.some((r) => r.v === "second"), "no environment of the change");
    const second = await invokedAfterInit("ahead");
    expect(second.v).toBe("second");
    expect(second.initialisedAt).toBeLessThan(second.sentAt);
    // One environment per change: the invocations started none of their own.
    expect(collector.reports.map((r) => r.v)).toEqual(["first", "second"]);
  });
});

describe("environments started ahead of need, with pooled slots", () => {
  let pooled: JeffProcess | undefined;
  afterAll(async () => {
    await pooled?.stop();
  });

  it("gives the environment it starts ahead a slot standing by, so no process starts for it", async (ctx) => {
    const started = await startJeff({
      env: { ...collector.jeffEnv, JEFF_FUNCTION_PRESTART: "1", JEFF_FUNCTION_POOL: "1" },
    });
    pooled = started;
    if (!(await isSandboxed(started))) ctx.skip();
    const client = lambdaClientFor(started);
    /** The Prometheus series `name`'s value (its one series). */
    const counter = async (name: string) => {
      const body = await (await fetch(`${started.url}/_jeff/metrics`)).text();
      const line = body.split("\n").find((l) => l.startsWith(`${name} `));
      return Number(line?.split(" ").at(-1) ?? 0);
    };
    const readySlots = async () => {
      const body = await (await fetch(`${started.url}/_jeff/metrics`)).text();
      return body
        .split("\n")
        .filter((l) => l.startsWith("jeff_function_pool_slots{") && l.includes('runtime="nodejs20.x"'))
        .filter((l) => l.includes('state="ready"'))
        .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
    };
    const create = (name: string, label: string) =>
      client.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: "nodejs20.x",
          Handler: "index.handler",
          Role: `arn:aws:iam::${started.accountId}:role/lambda-role`,
          Code: { ZipFile: zipSync({ "index.mjs": text(source) }) },
          Environment: { Variables: { COLLECTOR: collector.url, LABEL: label } },
        }),
      );
    // The first function of its kind starts ahead in a process of its own, and makes the kind wanted.
    await create("kind-maker", "kind-maker");
    await until(
      () => collector.reports.some((r) => r.v === "kind-maker"),
      "the first function started ahead",
    );
    await until(async () => (await readySlots()) >= 1, "a slot of the kind standing by");
    expect(await counter("jeff_function_environments_from_pool_total")).toBe(0);

    // The next one's environment, started ahead, is that slot: it initialises before any invocation.
    await create("slotted", "slotted");
    await until(() => collector.reports.some((r) => r.v === "slotted"), "the second function started ahead");
    await until(
      async () => (await counter("jeff_function_environments_from_pool_total")) === 1,
      "the slot given to the environment started ahead",
    );
    const sentAt = Date.now();
    const out = await client.send(new InvokeCommand({ FunctionName: "slotted", Payload: text("{}") }));
    const answer = JSON.parse(decode(out.Payload)) as { initialisedAt: number; v: string };
    expect(answer.v).toBe("slotted");
    expect(answer.initialisedAt).toBeLessThan(sentAt);
    // The invocation took the environment started ahead, not another slot, and initialised nothing.
    expect(await counter("jeff_function_environments_from_pool_total")).toBe(1);
    expect(collector.reports.filter((r) => r.v === "slotted")).toHaveLength(1);
  }, 300_000);
});
