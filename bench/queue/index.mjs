// bench/queue: Jeff's work queue on SQLite (a real file in a temp dir, opened by the store with the
// pragmas Jeff runs with: WAL, synchronous=FULL), beside its limit, in the same run:
//
//   limit       bare transactions doing the writes a job needs, one INSERT and one UPDATE each, on
//               a table shaped like queue_jobs (same columns and indexes): jobs/s with P callers;
//               and the time of one such transaction, run one at a time
//   throughput  P producers each enqueue a job in its own transaction and wake() the queue after the
//               commit, back to back; one WorkQueue (concurrency C, a handler that does nothing)
//               claims, runs and completes them: jobs/s from the first enqueue until every
//               completion is committed. Two ways to enqueue: `queue.enqueue(tx, job)` (the fast
//               path: the job is inserted leased to this node and started from one read) and the
//               free `enqueue(tx, job)` (queued, then claimed)
//   latency     one job at a time on an otherwise idle queue: enqueue→start, from just before the
//               enqueue's transaction begins to the handler's first line, and commit→start, from
//               the enqueue's commit; interleaved one for one with the bare transaction samples
//
// The throughput slices alternate with the limit's (A B, B A, ...) on a fresh database each, so
// neither gets the quieter machine; a slice during which other processes used more than
// --max-noise % of a core is measured again (up to 10 times). Nothing leaves this process but
// the database files, which are removed at the end.
//
// Usage: npm run bench -- queue [--duration 4] [--rounds 4] [--producers 1,8] [--concurrency 32]
//          [--samples 400] [--max-noise 20] [--json FILE] [--store postgres://…]
//
// With --store, every store is a new schema in that PostgreSQL database (dropped at the end)
// instead of a SQLite file: the same queue and the same limit, on the shared engine; and a peer,
//
//   graphile-worker  (bench/package.json) on the same database, a schema of its own per slice,
//               with the same producers, concurrency and empty handler: producers call addJob back
//               to back, its runner (default settings: no batching, LISTEN/NOTIFY) runs them;
//               jobs/s until its jobs table is empty; and addJob → task start, one at a time,
//               interleaved with the other latency samples. --graphile-batched gives it the
//               batching its documentation recommends for throughput instead (a local queue of
//               concurrency + 1 jobs, completions batched within a tick)
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { cpus, freemem, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { fmt, machineCpu, percentile, postgresCpu, tableLines } from "../lib/harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const { values: opts } = parseArgs({
  options: {
    duration: { type: "string", default: "4" },
    rounds: { type: "string", default: "4" },
    producers: { type: "string", default: "1,8" },
    concurrency: { type: "string", default: "32" },
    samples: { type: "string", default: "400" },
    "max-noise": { type: "string", default: "20" },
    json: { type: "string" },
    store: { type: "string" },
    "graphile-batched": { type: "boolean", default: false },
  },
});
const duration = Number(opts.duration);
const rounds = Math.max(1, Number(opts.rounds));
const producerCounts = opts.producers.split(",").map(Number);
const concurrency = Number(opts.concurrency);
const samples = Math.max(10, Number(opts.samples));
const maxNoise = Number(opts["max-noise"]);

const dist = join(root, "dist");
if (!existsSync(join(dist, "queue", "index.js"))) {
  console.error("bench/queue runs the built queue: run `npm run build` first");
  process.exit(1);
}
const { enqueue, queueMigrations, WorkQueue } = await import(
  pathToFileURL(join(dist, "queue/index.js")).href
);
const { openStore } = await import(pathToFileURL(join(dist, "store/index.js")).href);

// The limit's table: queue_jobs under another name, with the same columns and indexes.
const bareMigration = {
  id: 1,
  name: "bench: bare jobs",
  up: queueMigrations
    .map((m) => m.up)
    .join(";\n")
    .replaceAll("queue_jobs", "bare_jobs"),
};
const bareInsert = `INSERT INTO bare_jobs
  (id, kind, payload, dedupe_key, state, ready_at, enqueued_at, attempts, max_attempts, claims)
  VALUES (?, ?, ?, NULL, 'queued', ?, ?, 0, NULL, 0)
  ON CONFLICT (kind, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING`;
const bareUpdate = `UPDATE bare_jobs SET state = 'running', claims = claims + 1, attempts = attempts + 1,
  lease_owner = ?, lease_epoch = ?, ready_at = ? WHERE id = ? AND claims = ? AND ready_at <= ?`;
const payload = { function: "bench", n: 1 };

/** graphile-worker, from bench/node_modules, silenced. */
const graphile =
  opts.store === undefined
    ? undefined
    : await import(pathToFileURL(join(here, "../node_modules/graphile-worker/dist/index.js")).href);
const graphileLogger = graphile && new graphile.Logger(() => () => {});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A graphile-worker schema of its own, migrated; its runner with `handle` as the task. */
async function graphileQueue(handle) {
  const schema = `bench_gw_${process.pid}_${++stores}`;
  schemas.push(schema);
  const utils = await graphile.makeWorkerUtils({
    connectionString: opts.store,
    schema,
    logger: graphileLogger,
  });
  await utils.migrate();
  const runner = await graphile.run({
    connectionString: opts.store,
    schema,
    concurrency,
    noHandleSignals: true,
    logger: graphileLogger,
    taskList: { bench: handle },
    ...(opts["graphile-batched"]
      ? {
          preset: {
            worker: {
              localQueue: { size: concurrency + 1 },
              completeJobBatchDelay: 0,
              failJobBatchDelay: 0,
            },
          },
        }
      : {}),
  });
  /** Waits until every job's completion is committed: its table is empty. */
  const drained = async () => {
    for (;;) {
      const { rows } = await utils.withPgClient((client) =>
        client.query(`SELECT COUNT(*)::int AS n FROM ${schema}._private_jobs`),
      );
      if (rows[0].n === 0) return;
      await sleep(1);
    }
  };
  const close = async () => {
    await runner.stop();
    await utils.release();
  };
  return { utils, drained, close };
}

async function measureGraphile(producers) {
  let handled = 0;
  const peer = await graphileQueue(async () => {
    handled++;
  });
  try {
    const load = await loadFor(duration / rounds, producers, () => peer.utils.addJob("bench", payload));
    while (handled < load.done) await new Promise((r) => setImmediate(r));
    await peer.drained();
    const elapsed = (performance.now() - load.started) / 1000;
    return { rate: load.done / elapsed, noise: noiseOf(load, elapsed) };
  } finally {
    await peer.close();
  }
}

const work = await mkdtemp(join(tmpdir(), "jeff-bench-queue-"));
let stores = 0;
const schemas = [];
async function freshStore() {
  const dataDir = join(work, `db${++stores}`);
  const migrations = [bareMigration, ...queueMigrations];
  if (opts.store === undefined) return openStore({ dataDir, migrations });
  const schema = `bench_queue_${process.pid}_${stores}`;
  await postgresAdmin((client) => client.query(`CREATE SCHEMA ${schema}`));
  schemas.push(schema);
  const url = new URL(opts.store);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return openStore({ dataDir, migrations, url: url.toString() });
}

/** Runs `work` on a connection of its own to --store's database. */
async function postgresAdmin(work) {
  const { default: pg } = await import(
    pathToFileURL(createRequire(join(root, "package.json")).resolve("pg")).href
  );
  const client = new pg.Client({ connectionString: opts.store });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** One job's writes as bare statements: the insert an enqueue makes and the update a claim makes. */
let bareIds = 0;
async function bareTransaction(store) {
  const id = `bare-${++bareIds}`;
  const now = Date.now();
  await store.transaction(async (tx) => {
    await tx.run(bareInsert, [id, "bench", JSON.stringify(payload), now, now]);
    const { changes } = await tx.run(bareUpdate, ["bench", "epoch", now + 60_000, id, 0, now]);
    if (changes !== 1) throw new Error("the bare update missed its row");
  });
}

/** `callers` loops running `step` back to back for `seconds`; machine noise measured meanwhile. */
async function loadFor(seconds, callers, step) {
  const cpu0 = process.cpuUsage();
  const machine0 = machineCpu();
  const server0 = serverCpu();
  const started = performance.now();
  const end = started + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (performance.now() < end) {
        await step();
        done++;
      }
    }),
  );
  return { done, started, cpu0, machine0, server0 };
}

/** The database server's CPU so far: PostgreSQL's work for the queue is the queue's, not noise. */
const serverCpu = () => (opts.store === undefined ? 0 : postgresCpu());

function noiseOf({ cpu0, machine0, server0 }, elapsed) {
  const own = process.cpuUsage(cpu0);
  const other = machineCpu() - machine0 - (own.user + own.system) / 1e6 - (serverCpu() - server0);
  return (100 * Math.max(0, other)) / elapsed;
}

async function measureLimit(producers) {
  const store = await freshStore();
  try {
    const load = await loadFor(duration / rounds, producers, () => bareTransaction(store));
    const elapsed = (performance.now() - load.started) / 1000;
    return { rate: load.done / elapsed, noise: noiseOf(load, elapsed) };
  } finally {
    await store.close();
  }
}

/** How a job is enqueued: `queue.enqueue` (leased to this node from birth) or the free `enqueue`. */
const enqueuers = {
  fast: (queue) => (tx) => queue.enqueue(tx, { kind: "bench", payload }),
  plain: () => (tx) => enqueue(tx, { kind: "bench", payload }),
};

async function measureQueue(producers, path) {
  const store = await freshStore();
  const queue = new WorkQueue({ store, nodeId: "bench" });
  let handled = 0;
  queue.register("bench", {
    concurrency,
    handle: async () => {
      handled++;
    },
  });
  try {
    await queue.start();
    const add = enqueuers[path](queue);
    const load = await loadFor(duration / rounds, producers, async () => {
      await store.transaction(add);
      queue.wake();
    });
    while (handled < load.done) await new Promise((r) => setImmediate(r));
    await queue.idle();
    const elapsed = (performance.now() - load.started) / 1000;
    const left = await store.get("SELECT COUNT(*) AS n FROM queue_jobs");
    if (left.n !== 0) throw new Error(`${left.n} jobs were left in the queue`);
    return { rate: load.done / elapsed, noise: noiseOf(load, elapsed) };
  } finally {
    await queue.stop();
    await store.close();
  }
}

/** Runs `measure` again while other processes took more than --max-noise % of a core. */
async function quietly(measure) {
  let result = await measure();
  let retries = 0;
  for (; retries < 10 && result.noise > maxNoise; retries++) {
    await new Promise((r) => setTimeout(r, 1000));
    result = await measure();
  }
  return { ...result, retries };
}

/**
 * Latency samples, one at a time, interleaved: a bare transaction, then a job through each path
 * from just before its enqueue's transaction to its handler's first line (and from the commit).
 */
async function measureLatency() {
  const store = await freshStore();
  const queue = new WorkQueue({ store, nodeId: "bench" });
  let startedAt = () => {};
  queue.register("bench", {
    concurrency,
    handle: async () => startedAt(performance.now()),
  });
  const bare = [];
  const paths = Object.keys(enqueuers);
  const enqueueToStart = Object.fromEntries(paths.map((path) => [path, []]));
  const commitToStart = Object.fromEntries(paths.map((path) => [path, []]));
  let graphileStarted = () => {};
  const peer = graphile && (await graphileQueue(async () => graphileStarted(performance.now())));
  const peerAddToStart = [];
  const cpu0 = process.cpuUsage();
  const machine0 = machineCpu();
  const server0 = serverCpu();
  const t0 = performance.now();
  try {
    await queue.start();
    for (let i = 0; i < samples + 20; i++) {
      const warm = i < 20;
      const b0 = performance.now();
      await bareTransaction(store);
      if (!warm) bare.push(performance.now() - b0);
      for (const path of paths) {
        const add = enqueuers[path](queue);
        const started = new Promise((resolveStart) => {
          startedAt = resolveStart;
        });
        const e0 = performance.now();
        await store.transaction(add);
        const committed = performance.now();
        queue.wake();
        const s = await started;
        await queue.idle(); // its completion is written before the next sample
        if (warm) continue;
        enqueueToStart[path].push(s - e0);
        commitToStart[path].push(s - committed);
      }
      if (peer) {
        const started = new Promise((resolveStart) => {
          graphileStarted = resolveStart;
        });
        const e0 = performance.now();
        await peer.utils.addJob("bench", payload);
        const s = await started;
        await peer.drained();
        if (!warm) peerAddToStart.push(s - e0);
      }
    }
  } finally {
    await queue.stop();
    await store.close();
    await peer?.close();
  }
  const sorted = (values) => [...values].sort((x, y) => x - y);
  return {
    bare: sorted(bare),
    enqueueToStart: Object.fromEntries(paths.map((path) => [path, sorted(enqueueToStart[path])])),
    commitToStart: Object.fromEntries(paths.map((path) => [path, sorted(commitToStart[path])])),
    peerAddToStart: sorted(peerAddToStart),
    noise: noiseOf({ cpu0, machine0, server0 }, (performance.now() - t0) / 1000),
  };
}

const pathNames = {
  fast: "queue.enqueue",
  plain: "enqueue()",
  graphile: opts["graphile-batched"] ? "graphile (batched)" : "graphile-worker",
};

let exitCode = 0;
try {
  const cpuModel = cpus()[0]?.model ?? "unknown";
  console.log(
    `bench/queue  ${new Date().toISOString()}  node ${process.version}  ${cpus().length} cores (${cpuModel})  ` +
      `${(totalmem() / 2 ** 30).toFixed(1)} GiB (${(freemem() / 2 ** 30).toFixed(1)} free)`,
  );
  console.log(
    `${opts.store === undefined ? `SQLite file under ${tmpdir()}, WAL, synchronous=FULL` : `PostgreSQL at ${new URL(opts.store).host}, a schema per store, SERIALIZABLE`}; ${rounds} alternating rounds of ` +
      `${(duration / rounds).toFixed(2)} s per target; queue concurrency ${concurrency}; ${samples} latency samples\n`,
  );

  const rows = [];
  const targets = ["limit", ...Object.keys(enqueuers), ...(graphile ? ["graphile"] : [])];
  for (const producers of producerCounts) {
    const results = Object.fromEntries(targets.map((target) => [target, []]));
    for (let r = 0; r < rounds; r++) {
      for (const target of r % 2 === 0 ? targets : [...targets].reverse()) {
        results[target].push(
          await quietly(() =>
            target === "limit"
              ? measureLimit(producers)
              : target === "graphile"
                ? measureGraphile(producers)
                : measureQueue(producers, target),
          ),
        );
      }
    }
    const mean = (list) => list.reduce((sum, x) => sum + x.rate, 0) / list.length;
    const limit = mean(results.limit);
    for (const path of targets.filter((t) => t !== "limit")) {
      const ratios = results[path].map((q, i) => q.rate / results.limit[i].rate);
      const measured = [...results[path], ...results.limit];
      rows.push({
        producers,
        path,
        queue: mean(results[path]),
        limit,
        ratio: mean(results[path]) / limit,
        ratioMin: Math.min(...ratios),
        ratioMax: Math.max(...ratios),
        noise: Math.max(...measured.map((x) => x.noise)),
        remeasured: measured.reduce((sum, x) => sum + x.retries, 0),
        ...(graphile && path !== "graphile"
          ? {
              peerRatios: results[path].map((q, i) => q.rate / results.graphile[i].rate),
            }
          : {}),
      });
    }
  }
  console.log(
    "throughput: enqueue → claim → complete, against bare transactions (one INSERT + one UPDATE per job)",
  );
  for (const line of tableLines(
    [
      ["producers", 9, (r) => String(r.producers), "r"],
      ["enqueued by", 13, (r) => pathNames[r.path], "l"],
      ["queue jobs/s", 12, (r) => fmt(r.queue), "r"],
      ["limit jobs/s", 12, (r) => fmt(r.limit), "r"],
      [
        "queue / limit (rounds)",
        22,
        (r) => `${fmt(r.ratio, 2)}x (${fmt(r.ratioMin, 2)}-${fmt(r.ratioMax, 2)})`,
        "r",
      ],
      ...(graphile
        ? [
            [
              "Jeff / graphile (rounds)",
              24,
              (r) =>
                r.peerRatios
                  ? `${fmt(r.queue / rows.find((g) => g.path === "graphile" && g.producers === r.producers).queue, 2)}x (${fmt(Math.min(...r.peerRatios), 2)}-${fmt(Math.max(...r.peerRatios), 2)})`
                  : "",
              "r",
            ],
          ]
        : []),
      ["others' CPU (max)", 17, (r) => `${fmt(r.noise)} %`, "r"],
      ["remeasured", 10, (r) => String(r.remeasured), "r"],
    ],
    rows,
  ))
    console.log(line);

  const latency = await quietly(measureLatency);
  const p = (values, q) => percentile(values, q);
  const latencyRows = [
    { what: "bare transaction (INSERT + UPDATE)", values: latency.bare },
    ...Object.keys(enqueuers).flatMap((path) => [
      { what: `${pathNames[path]}: enqueue → start`, values: latency.enqueueToStart[path] },
      { what: `${pathNames[path]}: commit → start`, values: latency.commitToStart[path] },
    ]),
    ...(graphile ? [{ what: `${pathNames.graphile}: addJob → start`, values: latency.peerAddToStart }] : []),
  ];
  const bareP50 = p(latency.bare, 50);
  console.log("\nlatency, one job at a time, ms");
  for (const line of tableLines(
    [
      ["what", 34, (r) => r.what, "l"],
      ["p50", 7, (r) => fmt(p(r.values, 50), 2), "r"],
      ["p99", 7, (r) => fmt(p(r.values, 99), 2), "r"],
      ["p50 / bare p50", 14, (r) => `${fmt(p(r.values, 50) / bareP50, 2)}x`, "r"],
    ],
    latencyRows,
  ))
    console.log(line);
  console.log(`others' CPU during the latency samples: ${fmt(latency.noise)} % of a core`);

  for (const path of Object.keys(enqueuers)) {
    const worst = rows.filter((r) => r.path === path).reduce((a, b) => (a.ratio < b.ratio ? a : b));
    const latencyRatio = p(latency.enqueueToStart[path], 50) / bareP50;
    console.log(
      `\n${pathNames[path]}: goal throughput >= 0.5x the limit: ${fmt(worst.ratio, 2)}x at ${worst.producers} ` +
        `producer(s) (the lowest): ${worst.ratio >= 0.5 ? "met" : "MISSED"}`,
    );
    console.log(
      `${pathNames[path]}: goal enqueue → start p50 <= 2x one bare transaction: ${fmt(latencyRatio, 2)}x: ` +
        `${latencyRatio <= 2 ? "met" : "MISSED"}`,
    );
  }
  if (graphile) {
    const peerP50 = p(latency.peerAddToStart, 50);
    const peerP99 = p(latency.peerAddToStart, 99);
    for (const path of Object.keys(enqueuers)) {
      const mine = rows.filter((r) => r.path === path);
      const worst = mine
        .map((r) => ({
          r,
          ratio: r.queue / rows.find((g) => g.path === "graphile" && g.producers === r.producers).queue,
        }))
        .reduce((a, b) => (a.ratio < b.ratio ? a : b));
      console.log(
        `${pathNames[path]}: goal throughput >= graphile-worker's: ${fmt(worst.ratio, 2)}x at ${worst.r.producers} producer(s) (the lowest): ${worst.ratio >= 1 ? "met" : "MISSED"}`,
      );
      const p50 = p(latency.enqueueToStart[path], 50);
      const p99 = p(latency.enqueueToStart[path], 99);
      console.log(
        `${pathNames[path]}: goal enqueue → start no worse than graphile-worker's: p50 ${fmt(p50, 2)} vs ${fmt(peerP50, 2)} ms, p99 ${fmt(p99, 2)} vs ${fmt(peerP99, 2)} ms: ${p50 <= peerP50 && p99 <= peerP99 ? "met" : "MISSED"}`,
      );
    }
  }
  if (opts.json) {
    const summary = latencyRows.map((r) => ({ what: r.what, p50: p(r.values, 50), p99: p(r.values, 99) }));
    await writeFile(
      opts.json,
      `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpuModel, cores: cpus().length, duration, rounds, concurrency, samples, rows, latency: summary }, null, 2)}\n`,
    );
  }
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  await rm(work, { recursive: true, force: true });
  if (schemas.length > 0) {
    await postgresAdmin((client) => client.query(`DROP SCHEMA ${schemas.join(", ")} CASCADE`)).catch(
      () => undefined,
    );
  }
}
process.exit(exitCode);
