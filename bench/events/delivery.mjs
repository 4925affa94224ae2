// bench/events, part 2: PutEvents to delivered, through a real Jeff. A function target reports each
// event's id to a collector on loopback (the one port the sandbox is told to let it reach); a few
// concurrent EventBridge SDK clients put a fixed number of events in batches of 10. Measured:
// events/s from the first PutEvents sent to the last event arriving at the function, and each
// event's latency from its PutEvents answer to its arrival.
import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { createServer } from "node:http";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
// fflate is a dependency of Jeff itself (the repository root), which bench/ sits in.
import { zipSync } from "fflate";
import { machineCpu, percentile, startProcess, stopProcess, treeCpu } from "../lib/harness.mjs";
import { eventObject } from "./workload.mjs";

const run = promisify(execFile);

// Reports the event's id, and nothing else, so that the collector's work stays small.
const REPORTER = `export const handler = async (event) => {
  await (await fetch(process.env.COLLECTOR, { method: "POST", body: event.id })).text();
  return "ok";
};
`;

/** A loopback server keeping the time each event id first arrived (later arrivals are duplicates). */
async function startCollector() {
  const arrivals = new Map();
  let duplicates = 0;
  let waiter;
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      if (arrivals.has(body)) duplicates++;
      else arrivals.set(body, performance.now());
      res.end("ok");
      if (waiter && arrivals.size >= waiter.count) waiter.resolve();
    });
  });
  await new Promise((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  return {
    port: server.address().port,
    arrivals,
    duplicates: () => duplicates,
    /** Resolves once `count` distinct ids have arrived; rejects after `ms`. */
    until(count, ms) {
      if (arrivals.size >= count) return Promise.resolve();
      return new Promise((resolveWait, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${arrivals.size} of ${count} events arrived in ${ms / 1000} s`)),
          ms,
        );
        waiter = {
          count,
          resolve: () => {
            clearTimeout(timer);
            waiter = undefined;
            resolveWait();
          },
        };
      });
    },
    close: () => new Promise((resolveClose) => server.close(resolveClose)),
  };
}

/**
 * Starts Jeff in `work`, sets up the function, rule and target, sends `count` events from
 * `clients` SDK clients in batches of 10, and returns the measurements.
 */
export async function measureDelivery({ root, work, count, clients, timeoutMs }) {
  const collector = await startCollector();
  const dataDir = join(work, "deliver-data");
  await mkdir(dataDir, { mode: 0o700 });
  const jeff = await startProcess(
    "jeff",
    process.execPath,
    [join(root, "bin/jeff.js"), "serve", "--port", "0", "--data-dir", dataDir, "--json"],
    { cwd: root, env: { JEFF_LOG_LEVEL: "warn", JEFF_FUNCTION_LOOPBACK_PORTS: String(collector.port) } },
  );
  const sdkClients = [];
  try {
    const { stdout } = await run(
      process.execPath,
      [join(root, "bin/jeff.js"), "env", "--json", "--data-dir", dataDir],
      { cwd: root },
    );
    const creds = JSON.parse(stdout);
    const config = {
      endpoint: jeff.info.url,
      region: creds.AWS_REGION,
      credentials: { accessKeyId: creds.AWS_ACCESS_KEY_ID, secretAccessKey: creds.AWS_SECRET_ACCESS_KEY },
      maxAttempts: 1,
    };
    const accountId = jeff.info.accountId;
    const lambda = new LambdaClient(config);
    sdkClients.push(lambda);
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "bench-events-target",
        Runtime: "nodejs20.x",
        Handler: "index.handler",
        Role: `arn:aws:iam::${accountId}:role/bench`,
        Code: { ZipFile: zipSync({ "index.mjs": new TextEncoder().encode(REPORTER) }) },
        Environment: { Variables: { COLLECTOR: `http://127.0.0.1:${collector.port}/` } },
        MemorySize: 128,
        Timeout: 10,
      }),
    );
    const admin = new EventBridgeClient(config);
    sdkClients.push(admin);
    await admin.send(
      new PutRuleCommand({
        Name: "bench-orders",
        EventPattern: JSON.stringify({ source: ["bench.orders"] }),
      }),
    );
    await admin.send(
      new PutTargetsCommand({
        Rule: "bench-orders",
        Targets: [
          { Id: "fn", Arn: `arn:aws:lambda:${creds.AWS_REGION}:${accountId}:function:bench-events-target` },
        ],
      }),
    );
    const entry = (i) => ({
      Source: "bench.orders",
      DetailType: "Order Placed",
      Detail: JSON.stringify(eventObject(i).detail),
      Resources: eventObject(i).resources,
    });
    const answeredAt = new Map();
    const putLatencies = [];
    let failed = 0;
    const put = async (client, first) => {
      const t0 = performance.now();
      const out = await client.send(
        new PutEventsCommand({ Entries: Array.from({ length: 10 }, (_, k) => entry(first + k)) }),
      );
      const t1 = performance.now();
      putLatencies.push(t1 - t0);
      failed += out.FailedEntryCount ?? 0;
      for (const e of out.Entries ?? []) if (e.EventId) answeredAt.set(e.EventId, t1);
    };

    // Warm-up: one batch through to the function (its first environment starts here).
    await put(admin, 0);
    await collector.until(10, timeoutMs);
    collector.arrivals.clear();
    answeredAt.clear();
    putLatencies.length = 0;

    const batches = Math.ceil(count / 10);
    let next = 0;
    const loaders = Array.from({ length: clients }, () => new EventBridgeClient(config));
    sdkClients.push(...loaders);
    const cpu0 = treeCpu(jeff.child.pid);
    const machine0 = machineCpu();
    const started = performance.now();
    await Promise.all(
      loaders.map(async (client) => {
        while (next < batches) await put(client, 10 * next++);
      }),
    );
    const putDone = performance.now();
    const accepted = answeredAt.size;
    await collector.until(accepted, timeoutMs);
    const lastArrival = Math.max(...collector.arrivals.values());
    const jeffCpu = treeCpu(jeff.child.pid) - cpu0;
    const machineBusy = machineCpu() - machine0;
    const latencies = [];
    for (const [id, at] of collector.arrivals) {
      const answered = answeredAt.get(id);
      if (answered !== undefined) latencies.push(at - answered);
    }
    latencies.sort((x, y) => x - y);
    putLatencies.sort((x, y) => x - y);
    const seconds = (lastArrival - started) / 1000;
    return {
      events: accepted,
      failed,
      duplicates: collector.duplicates(),
      clients,
      seconds,
      rate: accepted / seconds,
      putRate: accepted / ((putDone - started) / 1000),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1),
      putP50: percentile(putLatencies, 50),
      putP99: percentile(putLatencies, 99),
      jeffCpuPerEvent: (1e6 * jeffCpu) / accepted,
      machineBusy: (100 * machineBusy) / seconds,
    };
  } finally {
    for (const c of sdkClients) c.destroy();
    await stopProcess(jeff);
    await collector.close();
  }
}
