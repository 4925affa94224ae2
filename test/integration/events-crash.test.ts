// Events put in bursts while Jeff is SIGKILLed twice during delivery: every acknowledged (event,
// matching target) pair still reaches its target at least once, and none is lost.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type JeffProcess, startJeff } from "./jeff-process.js";
import { createNodeFunction, lambdaClientFor, startCollector } from "./lambda-helpers.js";
import { until } from "./until.js";

interface Report {
  readonly id: number;
  readonly via: string;
}

/**
 * Events put; each matches a rule with two targets, so twice as many deliveries are owed. The soak
 * profile (`JEFF_SOAK=1`) puts 10,000.
 */
const eventCount = process.env.JEFF_SOAK === "1" ? 10_000 : 1000;
const batchesAtOnce = 4;

let collector: Awaited<ReturnType<typeof startCollector<Report>>>;
let dataDir: string;
let jeff: JeffProcess;

const clientFor = (process: JeffProcess) =>
  new EventBridgeClient({
    endpoint: process.url,
    region: process.region,
    credentials: process.credentials,
    maxAttempts: 1,
  });

beforeAll(async () => {
  collector = await startCollector<Report>();
  dataDir = await mkdtemp(join(tmpdir(), "jeff-events-crash-"));
  jeff = await startJeff({ dataDir, env: collector.jeffEnv });
  await createNodeFunction(
    lambdaClientFor(jeff),
    jeff.accountId,
    "sink",
    `export const handler = async (event) => {
  await (await fetch(process.env.COLLECTOR, { method: "POST", body: JSON.stringify(event) })).text();
};`,
    { Environment: { Variables: { COLLECTOR: collector.url } } },
  );
}, 120_000);
afterAll(async () => {
  await jeff?.stop();
  await collector?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe("delivery across crashes", () => {
  it(`delivers every pair of ${eventCount} acknowledged events at least once through two SIGKILLs`, async () => {
    const events = clientFor(jeff);
    const sink = `arn:aws:lambda:${jeff.region}:${jeff.accountId}:function:sink`;
    await events.send(
      new PutRuleCommand({ Name: "burst", EventPattern: JSON.stringify({ source: ["burst"] }) }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: "burst",
        Targets: ["a", "b"].map((via) => ({
          Id: via,
          Arn: sink,
          InputTransformer: {
            InputPathsMap: { id: "$.detail.id" },
            InputTemplate: `{"id": <id>, "via": "${via}"}`,
          },
        })),
      }),
    );
    const batches = Array.from({ length: eventCount / 10 }, (_, b) =>
      Array.from({ length: 10 }, (_, i) => ({
        Source: "burst",
        DetailType: "d",
        Detail: JSON.stringify({ id: b * 10 + i }),
      })),
    );
    for (let i = 0; i < batches.length; i += batchesAtOnce) {
      const answers = await Promise.all(
        batches.slice(i, i + batchesAtOnce).map((Entries) => events.send(new PutEventsCommand({ Entries }))),
      );
      for (const answer of answers) expect(answer.FailedEntryCount).toBe(0);
    }
    const delivered = () => new Set(collector.reports.map((report) => `${report.id}/${report.via}`)).size;
    const owed = eventCount * 2;

    // Killed while deliveries are under way, twice, each time restarted on the same store.
    for (const share of [0.05, 0.4]) {
      await until(
        () => delivered() >= owed * share,
        () => `${share * 100} % delivered (${delivered()}/${owed})`,
        1_200_000,
      );
      await jeff.stop("SIGKILL");
      jeff = await startJeff({ dataDir, env: collector.jeffEnv });
    }
    await until(
      () => delivered() === owed,
      () => `every pair delivered (${delivered()}/${owed})`,
      600_000,
    );
    for (let id = 0; id < eventCount; id++) {
      for (const via of ["a", "b"]) {
        expect(
          collector.reports.some((report) => report.id === id && report.via === via),
          `${id}/${via}`,
        ).toBe(true);
      }
    }
  }, 3_600_000);
});
