// Asynchronous invocation: committed before the 202, run at least once, retried, delivered to
// destinations in Lambda's record format, and not lost when Jeff is SIGKILLed and restarted.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateFunctionCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  PutFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allMigrations } from "../../src/server/server.js";
import { openTestStore } from "../stores.js";
import { type JeffProcess, startJeff } from "./jeff-process.js";
import { lambdaClientFor, startCollector } from "./lambda-helpers.js";
import { until } from "./until.js";

/** What functions report back over loopback: the test's window into what ran. */
interface Report {
  kind: "run" | "destination";
  id?: string;
  record?: {
    requestContext: {
      requestId: string;
      condition: string;
      approximateInvokeCount: number;
      functionArn: string;
    };
    requestPayload: { id: string };
    responseContext?: { functionError?: string };
    responsePayload?: unknown;
  };
}

let collector: Awaited<ReturnType<typeof startCollector<Report>>> | undefined;
let collectorUrl: string;
let reports: Report[] = [];
let dataDir: string;
let jeff: JeffProcess;

const text = (s: string) => new TextEncoder().encode(s);
const env = { JEFF_FUNCTION_RETRY_DELAY_MS: "100" };

beforeAll(async () => {
  collector = await startCollector<Report>();
  collectorUrl = collector.url;
  reports = collector.reports;
  dataDir = await mkdtemp(join(tmpdir(), "jeff-async-"));
  jeff = await startJeff({ dataDir, env: { ...env, ...collector?.jeffEnv } });
  const lambda = lambdaClientFor(jeff);
  const role = `arn:aws:iam::${jeff.accountId}:role/r`;
  const create = (name: string, source: string) =>
    lambda.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: role,
        Environment: { Variables: { COLLECTOR: collectorUrl } },
        // Lambda's 3 s default can pass on a busy machine before the handler reports its run: an
        // attempt that times out unreported would look like a retry that never ran.
        Timeout: 60,
        Code: { ZipFile: zipSync({ "index.mjs": text(source) }) },
      }),
    );
  await create(
    "worker",
    `export const handler = async (event) => {
  await fetch(process.env.COLLECTOR, { method: "POST", body: JSON.stringify({ kind: "run", id: event.id }) });
  if (event.fail) throw new Error("planned failure " + event.id);
  return { ok: event.id };
};`,
  );
  await create(
    "sink",
    `export const handler = async (record) => {
  await fetch(process.env.COLLECTOR, { method: "POST", body: JSON.stringify({ kind: "destination", record }) });
};`,
  );
});

afterAll(async () => {
  await jeff?.stop();
  await collector?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const runsOf = (id: string) => reports.filter((r) => r.kind === "run" && r.id === id).length;
const destinationOf = (id: string) =>
  reports.find((r) => r.kind === "destination" && r.record?.requestPayload.id === id)?.record;

describe("asynchronous invocation", () => {
  it("configures retries and destinations with Lambda's bounds", async () => {
    const lambda = lambdaClientFor(jeff);
    const sinkArn = `arn:aws:lambda:${jeff.region}:${jeff.accountId}:function:sink`;
    const put = await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "worker",
        MaximumRetryAttempts: 1,
        DestinationConfig: { OnSuccess: { Destination: sinkArn }, OnFailure: { Destination: sinkArn } },
      }),
    );
    // What the Put left out is unset, as Lambda answers it; events get Lambda's default age.
    expect(put).toMatchObject({ MaximumRetryAttempts: 1 });
    expect(put.MaximumEventAgeInSeconds).toBeUndefined();
    const got = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "worker" }));
    expect(got.DestinationConfig?.OnFailure?.Destination).toBe(sinkArn);
    await expect(
      lambda.send(
        new PutFunctionEventInvokeConfigCommand({ FunctionName: "worker", MaximumRetryAttempts: 3 }),
      ),
    ).rejects.toMatchObject({
      name: "ValidationException",
    });
    await expect(
      lambda.send(
        new PutFunctionEventInvokeConfigCommand({ FunctionName: "worker", MaximumEventAgeInSeconds: 10 }),
      ),
    ).rejects.toMatchObject({
      name: "ValidationException",
    });
  });

  it("answers 202, runs the event and sends the outcome to OnSuccess", async () => {
    const out = await lambdaClientFor(jeff).send(
      new InvokeCommand({ FunctionName: "worker", InvocationType: "Event", Payload: text('{"id":"ok-1"}') }),
    );
    expect(out.StatusCode).toBe(202);
    await until(() => destinationOf("ok-1") !== undefined, "the success record");
    const record = destinationOf("ok-1")!;
    expect(record.requestContext).toMatchObject({ condition: "Success", approximateInvokeCount: 1 });
    expect(record.requestContext.functionArn).toMatch(/function:worker:\$LATEST$/);
    expect(record.responsePayload).toEqual({ ok: "ok-1" });
  });

  it("retries a failing event, then sends it to OnFailure", async () => {
    await lambdaClientFor(jeff).send(
      new InvokeCommand({
        FunctionName: "worker",
        InvocationType: "Event",
        Payload: text('{"id":"bad-1","fail":true}'),
      }),
    );
    await until(() => destinationOf("bad-1") !== undefined, "the failure record");
    const record = destinationOf("bad-1")!;
    expect(record.requestContext).toMatchObject({ condition: "RetriesExhausted", approximateInvokeCount: 2 });
    expect(record.responseContext?.functionError).toBe("Unhandled");
    expect(runsOf("bad-1")).toBe(2);
    await lambdaClientFor(jeff).send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: "worker" }));
  });

  it("loses none of 1,000 acknowledged events when Jeff is SIGKILLed and restarted", async () => {
    const lambda = lambdaClientFor(jeff);
    const sinkArn = `arn:aws:lambda:${jeff.region}:${jeff.accountId}:function:sink`;
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "worker",
        MaximumRetryAttempts: 1,
        DestinationConfig: { OnFailure: { Destination: sinkArn } },
      }),
    );
    const ids = Array.from({ length: 1000 }, (_, i) => `bulk-${i}`);
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(
        ids.slice(i, i + 50).map((id, k) =>
          lambda.send(
            new InvokeCommand({
              FunctionName: "worker",
              InvocationType: "Event",
              Payload: text(JSON.stringify({ id, fail: (i + k) % 10 === 0 })),
            }),
          ),
        ),
      );
    }
    await jeff.stop("SIGKILL");
    jeff = await startJeff({ dataDir, env: { ...env, ...collector?.jeffEnv } });
    await until(() => ids.every((id) => runsOf(id) >= 1), "every event to run");
    const failing = ids.filter((_, i) => i % 10 === 0);
    await until(() => failing.every((id) => destinationOf(id) !== undefined), "every failure record");
    for (const id of failing) {
      expect(destinationOf(id)?.requestContext.condition).toBe("RetriesExhausted");
      expect(runsOf(id)).toBeGreaterThanOrEqual(2);
    }
    // At least once, and no more than that: only what was in flight at the kill runs again. Jeff
    // runs 16 asynchronous invocations at once; each slot holds at most one running and one whose
    // completion was not yet committed, so at most 32 runs (of events or records) come twice.
    const extraRuns = ids.reduce(
      (sum, id) => sum + Math.max(0, runsOf(id) - (failing.includes(id) ? 2 : 1)),
      0,
    );
    const extraRecords = failing.reduce(
      (sum, id) =>
        sum +
        reports.filter((r) => r.kind === "destination" && r.record?.requestPayload.id === id).length -
        1,
      0,
    );
    expect(extraRuns + extraRecords).toBeLessThanOrEqual(32);
  }, 120_000);

  it("runs the events a Jeff before the queue left pending in its own table", async () => {
    // The worker keeps the last test's configuration: one retry, failures to the sink.
    await jeff.stop();
    const store = await openTestStore({ dataDir, migrations: allMigrations });
    try {
      // The table as migrations 402 and 404 left it, with what the previous Jeff wrote into it: an
      // event never tried, and one whose first attempt failed, claimed by a process that died.
      await store.exec(`
        CREATE TABLE lambda_async_events (
          event_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, region TEXT NOT NULL,
          function_name TEXT NOT NULL, payload BYTEA NOT NULL, attempts INTEGER NOT NULL,
          received_at BIGINT NOT NULL, due_at BIGINT NOT NULL, lease_until BIGINT,
          qualifier TEXT, executed_version TEXT
        );
        CREATE INDEX lambda_async_events_due ON lambda_async_events (due_at);`);
      const now = Date.now();
      const insert = `INSERT INTO lambda_async_events VALUES (?, ?, ?, 'worker', ?, ?, ?, ?, ?, NULL, '$LATEST')`;
      const scope = [jeff.accountId, jeff.region];
      await store.run(insert, [
        "legacy-new",
        ...scope,
        Buffer.from('{"id":"legacy-new"}'),
        0,
        now,
        now,
        null,
      ]);
      const failed = Buffer.from('{"id":"legacy-failed","fail":true}');
      await store.run(insert, ["legacy-failed", ...scope, failed, 1, now, now, now + 60_000]);
      // The functions' steps after 405 had not been written then: 406 moves these events onto the
      // queue, 407 keeps packages in the store, 408 keeps the settings Lambda returns as given,
      // 409 keeps resource-based policies, 410 an update's InProgress window.
      await store.exec("DROP TABLE lambda_packages");
      await store.exec("ALTER TABLE lambda_functions DROP COLUMN options");
      await store.exec("ALTER TABLE lambda_function_versions DROP COLUMN options");
      await store.exec("DROP TABLE lambda_policies");
      await store.exec("ALTER TABLE lambda_functions DROP COLUMN update_ends_at");
      await store.run("DELETE FROM jeff_migrations WHERE id IN (406, 407, 408, 409, 410)");
    } finally {
      await store.close();
    }
    jeff = await startJeff({ dataDir, env: { ...env, ...collector?.jeffEnv } });
    await until(() => runsOf("legacy-new") === 1, "the event never tried");
    await until(() => destinationOf("legacy-failed") !== undefined, "the failed event's record");
    expect(destinationOf("legacy-failed")).toMatchObject({
      requestContext: {
        requestId: "legacy-failed",
        condition: "RetriesExhausted",
        approximateInvokeCount: 2,
      },
    });
    expect(runsOf("legacy-failed")).toBe(1);
  });
});
