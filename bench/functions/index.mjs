// bench/functions: Lambda functions in Jeff against a bare Fastify server and serverless-offline,
// from one client process, in one run. Three parts:
//
//   warm    Invoke (POST /2015-03-31/functions/NAME/invocations) of a Node function that returns a
//           small JSON, at 1 and 32 connections, through two clients: `sdk` (the real
//           @aws-sdk/client-lambda InvokeCommand) and `raw` (undici, headers signed with
//           @smithy/signature-v4 once a second and replayed). Targets: Jeff; a bare Fastify server
//           returning the same bytes on the same path; serverless-offline's Lambda invoke endpoint
//           (its lambdaPort) running the same handler; the process floor (process-floor-peer.mjs:
//           the Fastify route handing each invoke to a child process of its own, nothing else).
//           Alternating rounds as in bench/edge. Jeff's
//           CPU is split into its own process and its environments, and Jeff's signed
//           GetCallerIdentity runs beside them (raw client) as the baseline the CPU goal names.
//   cold    the first invoke of a Node and of a Python function in a new execution environment:
//           Jeff's `Init Duration` from the REPORT line (LogType: Tail) and the latency the client
//           sees; UpdateFunctionConfiguration (a new variable) retires the old environments before
//           each sample. serverless-offline: the first request to each of N identical functions.
//           Then two more Jeffs: one with --prestart (a change's environment up before the invoke),
//           one with --warm-pool 1 (a new function's first invoke, taken from a pooled slot),
//           beside the machine's `node -e 0` and `python3 -c 0`.
//   payload a 5.9 MB event (a JSON object holding one long string) invoked, warm, on a Node function
//           at 128 and 1,024 MB and a Python function at 128 MB, each answering the event's length:
//           the latency the client sees and the function's Duration, beside the time this process
//           takes to JSON.parse and JSON.stringify the same event (the least any runtime must do).
//   memory  a second Jeff started with JEFF_FUNCTION_IDLE_MS=2000: RSS (Jeff's own process and
//           the sum of its children) idle, at the peak of a burst that needs N environments at
//           once, and after the idle environments have been reaped.
//
// Only 127.0.0.1 is contacted; every loop is bounded in count and in time.
//
// Usage: npm run bench -- functions [--duration 5] [--warmup 1] [--rounds 4] [--connections 1,32]
//          [--clients sdk,raw] [--max-noise 20] [--cold-samples 30] [--burst 32]
//          [--parts warm,cold,payload,memory] [--payload-samples 10] [--jeff DIR] [--profile DIR] [--perf]
//          [--json FILE]
//   --duration      measured seconds per target for each (client, connections)
//   --max-noise P   measure a warm slice again (up to 3 times) while other processes use > P % of
//                   a core meanwhile (default 20)
//   --cold-samples  cold starts per runtime and target
//   --burst         environments the memory burst needs at once
//   --jeff DIR      the Jeff to run: a built checkout (default: this one, whose dist/ is under test)
//   --profile DIR   runs the main Jeff under `node --cpu-prof` and prints a summary of its profile
//   --perf          samples both sides of each warm measurement with Linux perf (cpu-clock, where
//                   the kernel allows it): Jeff's process and its environments' processes, each
//                   summarised by where its CPU went (kernel, Node, JIT code…) and its top symbols
//   --json FILE     also writes the results as JSON
import { execFile, execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import http from "node:http";
import { createServer } from "node:net";
import { cpus, freemem, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import {
  CreateFunctionCommand,
  InvokeCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { NodeHttpHandler } from "@smithy/node-http-handler";
// fflate is a dependency of Jeff itself (the repository root), which bench/ sits in.
import { zipSync } from "fflate";
import { Pool } from "undici";
import { summarize } from "../edge/profile.mjs";
import {
  descendants,
  fmt,
  machineCpu,
  measureRounds,
  memory,
  percentile,
  processCpu,
  rawClient,
  signedHeaders,
  startProcess,
  stopProcess,
  tableLines,
  treeCpu,
  treeMemory,
} from "../lib/harness.mjs";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const here = dirname(fileURLToPath(import.meta.url));
const bench = resolve(here, "..");
const root = resolve(here, "../..");
const run = promisify(execFile);

const { values: opts } = parseArgs({
  options: {
    duration: { type: "string", default: "5" },
    warmup: { type: "string", default: "1" },
    rounds: { type: "string", default: "4" },
    connections: { type: "string", default: "1,32" },
    clients: { type: "string", default: "sdk,raw" },
    "max-noise": { type: "string", default: "20" },
    "cold-samples": { type: "string", default: "30" },
    burst: { type: "string", default: "32" },
    parts: { type: "string", default: "warm,cold,payload,memory" },
    "payload-samples": { type: "string", default: "10" },
    profile: { type: "string" },
    perf: { type: "boolean", default: false },
    json: { type: "string" },
    jeff: { type: "string" },
  },
});
// The Jeff under test: this checkout's dist/, or another built checkout (--jeff DIR).
const jeffRoot = opts.jeff ? resolve(opts.jeff) : root;
const duration = Number(opts.duration);
const warmup = Number(opts.warmup);
const rounds = Math.max(1, Number(opts.rounds));
const connectionCounts = opts.connections.split(",").map(Number);
const clientKinds = opts.clients.split(",");
const maxNoise = Number(opts["max-noise"]);
const coldSamples = Math.max(1, Math.min(200, Number(opts["cold-samples"])));
const burst = Math.max(1, Math.min(200, Number(opts.burst)));
const parts = new Set(opts.parts.split(","));

// The one handler every target runs, and what it returns.
const NODE_HANDLER = 'export const handler = async () => ({ ok: true, message: "hello" });\n';
const PYTHON_HANDLER = 'def handler(event, context):\n    return {"ok": True, "message": "hello"}\n';
const HOLD_HANDLER =
  "export const handler = async (event) => {\n" +
  "  await new Promise((r) => setTimeout(r, event.ms ?? 0));\n" +
  "  return { ok: true };\n};\n";
const EXPECTED = { ok: true, message: "hello" };
// The payload part's functions: the length of the event's one string.
const LENGTH_NODE = "export const handler = async (event) => event.s.length;\n";
const LENGTH_PYTHON = 'def handler(event, context):\n    return len(event["s"])\n';
const PAYLOAD = "{}";
// The baseline row: Jeff answering a signed GetCallerIdentity (no environment involved).
const gciTarget = "Jeff GCI";
// The process floor (process-floor-peer.mjs): Fastify handing each invoke to a process of its own.
const floorTarget = "floor";
const invokePath = (name) => `/2015-03-31/functions/${encodeURIComponent(name)}/invocations`;

// ---- Jeff and the peers -----------------------------------------------------------------------

async function startJeff(name, dataDir, env, profileDir) {
  const prof = profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [];
  const jeff = await startProcess(
    name,
    process.execPath,
    [...prof, join(jeffRoot, "bin/jeff.js"), "serve", "--port", "0", "--data-dir", dataDir, "--json"],
    // The cold-start samples change a function's configuration many times a second, each change
    // then measured by an invoke: no InProgress moment between changes (a client of AWS would wait
    // with function-updated-v2, which would only add idle time to the CPU figures).
    { cwd: jeffRoot, env: { JEFF_LOG_LEVEL: "warn", JEFF_FUNCTION_UPDATE_MS: "0", ...env } },
  );
  const { stdout } = await run(
    process.execPath,
    [join(jeffRoot, "bin/jeff.js"), "env", "--json", "--data-dir", dataDir],
    { cwd: jeffRoot },
  );
  return { ...jeff, url: jeff.info.url, creds: JSON.parse(stdout) };
}

function adminClient(url, creds) {
  return new LambdaClient({
    endpoint: url,
    region: creds.AWS_REGION,
    credentials: { accessKeyId: creds.AWS_ACCESS_KEY_ID, secretAccessKey: creds.AWS_SECRET_ACCESS_KEY },
    maxAttempts: 1,
  });
}

const zipOf = (file, text) => zipSync({ [file]: new TextEncoder().encode(text) });

async function createFunction(lambda, accountId, name, { runtime, file, code, memoryMb = 128 }) {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: runtime,
      Handler: "index.handler",
      Role: `arn:aws:iam::${accountId}:role/bench`,
      Code: { ZipFile: zipOf(file, code) },
      MemorySize: memoryMb,
      Timeout: 10,
    }),
  );
}

/** The value of Jeff's Prometheus series `name` (summed over labels), from /_jeff/metrics. */
async function jeffMetric(url, name) {
  const res = await fetch(`${url}/_jeff/metrics`);
  const text = await res.text();
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) total += Number(line.split(" ").at(-1));
  }
  return total;
}

/** Waits until Jeff's series `name` exceeds `value` (polled every 20 ms, for a minute at most). */
async function untilMetricAbove(url, name, value, what) {
  const deadline = performance.now() + 60_000;
  while ((await jeffMetric(url, name)) <= value) {
    if (performance.now() > deadline) throw new Error(`${what}: ${name} never went above ${value}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** The interpreter behind `python3` (a pyenv shim costs ~60 ms a start; Jeff resolves it too). */
function pythonDir() {
  try {
    const exe = execFileSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" });
    return dirname(exe.trim());
  } catch {
    return undefined;
  }
}

/**
 * A serverless.yml project in `dir` with `hello` (warm runs) and `cold0…` / `pycold0…` (one first
 * request each), all with the same handler as Jeff's; `serverless offline` on free ports.
 */
async function startServerlessOffline(dir, { python }) {
  await mkdir(dir, { recursive: true });
  await symlink(join(bench, "node_modules"), join(dir, "node_modules"), "dir");
  await writeFile(join(dir, "handler.mjs"), NODE_HANDLER);
  await writeFile(join(dir, "pyhandler.py"), PYTHON_HANDLER);
  const [httpPort, lambdaPort, websocketPort] = [await freePort(), await freePort(), await freePort()];
  const fns = ["  hello:\n    handler: handler.handler"];
  for (let i = 0; i < coldSamples; i++) fns.push(`  cold${i}:\n    handler: handler.handler`);
  if (python) {
    for (let i = 0; i < coldSamples; i++)
      fns.push(`  pycold${i}:\n    handler: pyhandler.handler\n    runtime: python3.11`);
  }
  await writeFile(
    join(dir, "serverless.yml"),
    [
      "service: jeffbench",
      'frameworkVersion: "3"',
      "provider:",
      "  name: aws",
      "  runtime: nodejs20.x",
      "  region: us-east-1",
      "  stage: dev",
      "  memorySize: 128",
      "  timeout: 10",
      "plugins:",
      "  - serverless-offline",
      "custom:",
      "  serverless-offline:",
      "    host: 127.0.0.1",
      `    httpPort: ${httpPort}`,
      `    lambdaPort: ${lambdaPort}`,
      `    websocketPort: ${websocketPort}`,
      "functions:",
      ...fns,
      "",
    ].join("\n"),
  );
  const env = {
    SLS_TELEMETRY_DISABLED: "1",
    SLS_TRACKING_DISABLED: "1",
    SLS_NOTIFICATIONS_MODE: "off",
    SLS_DEPRECATION_DISABLE: "*",
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    ...(python ? { PATH: `${python}:${process.env.PATH}` } : {}),
  };
  const sls = await startProcess(
    "serverless-offline",
    process.execPath,
    [join(bench, "node_modules/serverless/bin/serverless.js"), "offline", "start"],
    {
      cwd: dir,
      env,
      watch: ["stdout", "stderr"],
      detached: true,
      timeoutMs: 60_000,
      ready: (out) => (/\[http for lambda\] listening on/.test(out) ? {} : undefined),
    },
  );
  return { ...sls, url: `http://127.0.0.1:${lambdaPort}`, fn: (name) => `jeffbench-dev-${name}` };
}

// ---- clients ----------------------------------------------------------------------------------

function sdkClient(url, creds, connections, functionName) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const client = new LambdaClient({
    endpoint: url,
    region: creds.AWS_REGION,
    credentials: { accessKeyId: creds.AWS_ACCESS_KEY_ID, secretAccessKey: creds.AWS_SECRET_ACCESS_KEY },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: agent }),
  });
  const payload = new TextEncoder().encode(PAYLOAD);
  return {
    fire: async () => {
      const out = await client.send(new InvokeCommand({ FunctionName: functionName, Payload: payload }));
      if (out.FunctionError) throw new Error(`function error: ${Buffer.from(out.Payload).toString()}`);
      return Buffer.from(out.Payload ?? []).toString("utf8");
    },
    close: () => {
      client.destroy();
      agent.destroy();
    },
  };
}

/** Signed STS GetCallerIdentity, replayed: Jeff's cheapest signed call, the CPU goal's yardstick. */
function gciRawClient(url, creds, connections) {
  return rawClient(url, creds, connections, {
    service: "sts",
    path: "/",
    body: "Action=GetCallerIdentity&Version=2011-06-15",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
  });
}

function invokeRawClient(url, creds, connections, functionName) {
  return rawClient(url, creds, connections, {
    service: "lambda",
    path: invokePath(functionName),
    body: PAYLOAD,
    headers: { "content-type": "application/json" },
  });
}

/** One signed Invoke with LogType: Tail; signing is done before the clock starts. */
async function timedInvoke(pool, url, creds, functionName, payload = PAYLOAD) {
  const path = invokePath(functionName);
  const headers = await signedHeaders(url, creds, {
    service: "lambda",
    path,
    body: payload,
    headers: { "content-type": "application/json", "x-amz-log-type": "Tail" },
  }).get();
  const t0 = performance.now();
  const res = await pool.request({ path, method: "POST", headers, body: payload });
  const text = await res.body.text();
  const ms = performance.now() - t0;
  if (res.statusCode !== 200 || res.headers["x-amz-function-error"])
    throw new Error(`${functionName}: HTTP ${res.statusCode} ${text.slice(0, 300)}`);
  const tail = res.headers["x-amz-log-result"];
  const log = typeof tail === "string" ? Buffer.from(tail, "base64").toString("utf8") : "";
  const init = /Init Duration: ([\d.]+) ms/.exec(log);
  const dur = /\tDuration: ([\d.]+) ms/.exec(log);
  return {
    ms,
    text,
    initMs: init ? Number(init[1]) : undefined,
    durationMs: dur ? Number(dur[1]) : undefined,
  };
}

function checkBody(name, text) {
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${name}: not JSON: ${text.slice(0, 200)}`);
  }
  if (JSON.stringify(parsed) !== JSON.stringify(EXPECTED))
    throw new Error(`${name}: unexpected answer ${text.slice(0, 200)}`);
}

/** `count` invocations at once, `times` times: that many environments exist afterwards. */
async function fillEnvironments(client, count, times = 2) {
  for (let i = 0; i < times; i++) await Promise.all(Array.from({ length: count }, () => client.fire()));
}

const summaryOf = (values) => {
  const sorted = values.filter(Number.isFinite).sort((x, y) => x - y);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    min: sorted[0] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
  };
};

// ---- main -------------------------------------------------------------------------------------

const work = await mkdtemp(join(tmpdir(), "jeff-bench-functions-"));
const profileDir = opts.profile ? resolve(opts.profile) : undefined;
if (profileDir) await mkdir(profileDir, { recursive: true });
const processes = [];
const closers = [];
const results = { warm: [], cold: [], memory: undefined, peers: {} };
/** What --perf found, printed after the warm tables. */
const perfReports = [];
let exitCode = 0;
try {
  const jeff = await startJeff("jeff", join(work, "data"), {}, profileDir && join(profileDir, "jeff"));
  processes.push(jeff);
  const { creds } = jeff;
  const accountId = jeff.info.accountId;
  const lambda = adminClient(jeff.url, creds);
  closers.push(() => lambda.destroy());
  await createFunction(lambda, accountId, "bench-hello", {
    runtime: "nodejs20.x",
    file: "index.mjs",
    code: NODE_HANDLER,
  });

  // Jeff's real answer; the Fastify peer returns exactly these bytes on the same path.
  const probe = invokeRawClient(jeff.url, creds, 1, "bench-hello");
  const jeffBody = await probe.fire();
  probe.close();
  checkBody("Jeff", jeffBody);
  const bodyFile = join(work, "invoke-response.json");
  await writeFile(bodyFile, jeffBody);
  const fastify = await startProcess(
    "fastify",
    process.execPath,
    [
      join(bench, "edge/fastify-peer.mjs"),
      bodyFile,
      JSON.stringify({
        route: "/2015-03-31/functions/:name/invocations",
        contentType: "application/json",
        headers: { "x-amz-executed-version": "$LATEST" },
      }),
    ],
    { cwd: root },
  );
  processes.push(fastify);
  const floor = await startProcess(
    "process floor",
    process.execPath,
    [join(bench, "functions/process-floor-peer.mjs")],
    {
      cwd: root,
    },
  );
  processes.push(floor);
  const python = pythonDir();
  const sls = await startServerlessOffline(join(work, "sls"), { python });
  processes.push(sls);
  const slsCreds = { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "bench", AWS_SECRET_ACCESS_KEY: "bench" };

  const versionOf = (pkg) =>
    JSON.parse(readFileSync(join(bench, "node_modules", pkg, "package.json"), "utf8")).version;
  const versions = { node: process.version };
  for (const pkg of ["fastify", "serverless", "serverless-offline", "@aws-sdk/client-lambda", "undici"])
    versions[pkg] = versionOf(pkg);
  const cpuModel = cpus()[0]?.model ?? "unknown";
  console.log(
    `bench/functions  ${new Date().toISOString()}  node ${process.version}  ${cpus().length} cores (${cpuModel})  ` +
      `${(totalmem() / 2 ** 30).toFixed(1)} GiB (${(freemem() / 2 ** 30).toFixed(1)} free)`,
  );
  console.log(
    `peers: fastify ${versions.fastify}, serverless ${versions.serverless}, serverless-offline ` +
      `${versions["serverless-offline"]}; clients: @aws-sdk/client-lambda ${versions["@aws-sdk/client-lambda"]}, ` +
      `undici ${versions.undici}`,
  );
  console.log(
    `Jeff ${jeff.url} (pid ${jeff.child.pid}), Fastify ${fastify.info.url} (pid ${fastify.child.pid}), ` +
      `serverless-offline ${sls.url} (pid ${sls.child.pid})`,
  );

  const targets = [
    {
      name: "Jeff",
      url: jeff.url,
      creds,
      fn: "bench-hello",
      cpu: () => treeCpu(jeff.child.pid),
      mainCpu: () => processCpu(jeff.child.pid),
    },
    { name: "Fastify", url: fastify.info.url, creds, fn: "bench-hello", cpu: fastify.child.pid },
    {
      name: floorTarget,
      url: floor.info.url,
      creds,
      fn: "bench-hello",
      cpu: () => treeCpu(floor.child.pid),
      mainCpu: () => processCpu(floor.child.pid),
    },
    {
      name: "sls-offline",
      url: sls.url,
      creds: slsCreds,
      fn: sls.fn("hello"),
      cpu: () => treeCpu(sls.child.pid),
    },
  ];
  // Every target must satisfy both clients before anything is timed.
  for (const t of targets) {
    for (const make of [sdkClient, invokeRawClient]) {
      const c = make(t.url, t.creds, 1, t.fn);
      checkBody(t.name, await c.fire());
      c.close();
    }
  }

  // ---- warm ----
  if (parts.has("warm")) {
    console.log(
      `\n== warm Invoke: ${warmup} s warm-up per target, then ${rounds} rounds alternating the order ` +
        `(A B C, C B A, ...), ${(duration / rounds).toFixed(2)} s per visit, ${duration} s per target; ` +
        `server CPU includes the server's child processes (Jeff's execution environments)\n`,
    );
    const makers = { sdk: sdkClient, raw: invokeRawClient };
    let printed = false;
    for (const kind of clientKinds) {
      for (const connections of connectionCounts) {
        const clients = new Map(
          targets.map((t) => [t.name, makers[kind](t.url, t.creds, connections, t.fn)]),
        );
        // With the raw client, Jeff's signed GetCallerIdentity too: no environment, the edge alone.
        const measuredTargets = targets.map((t) => ({ name: t.name, cpu: t.cpu, mainCpu: t.mainCpu }));
        if (kind === "raw") {
          clients.set(gciTarget, gciRawClient(jeff.url, creds, connections));
          measuredTargets.splice(1, 0, {
            name: gciTarget,
            cpu: () => treeCpu(jeff.child.pid),
            mainCpu: () => processCpu(jeff.child.pid),
          });
        }
        for (const c of clients.values()) closers.push(c.close);
        // Up to `connections` warm environments (Jeff) and workers (serverless-offline) first.
        for (const t of targets) await fillEnvironments(clients.get(t.name), connections);
        const coldBefore = await jeffMetric(jeff.url, "jeff_function_init_duration_seconds_count");
        const sampling = opts.perf
          ? await perfBothSides(jeff.child.pid, work, `${kind}-${connections}`)
          : undefined;
        const measured = await measureRounds({
          targets: measuredTargets,
          clients,
          connections,
          warmup,
          rounds,
          duration,
          maxNoise,
          maxRetries: 3,
        });
        const coldDuring =
          (await jeffMetric(jeff.url, "jeff_function_init_duration_seconds_count")) - coldBefore;
        if (sampling) perfReports.push(...(await sampling.stop()));
        for (const c of clients.values()) c.close();
        const s = measured.stats;
        const ratios = (peer) => {
          const perRound = measured.roundRps.map((r) => r.Jeff / r[peer]);
          return {
            rps: s.Jeff.rps / s[peer].rps,
            min: Math.min(...perRound),
            max: Math.max(...perRound),
            cpu: s[peer].cpuPerRequest / s.Jeff.cpuPerRequest,
          };
        };
        const row = {
          client: kind,
          connections,
          ...s,
          vsFastify: ratios("Fastify"),
          vsSls: ratios("sls-offline"),
          vsFloor: ratios(floorTarget),
          jeffColdStartsDuring: coldDuring,
          jeffEnvironments: treeMemory(jeff.child.pid).children,
          remeasured: measured.remeasured,
        };
        results.warm.push(row);
        for (const line of warmTable(row, !printed)) console.log(line);
        printed = true;
      }
    }
    const notes = results.warm.flatMap((r) => [
      `${r.client}·${r.connections}: Jeff had ${r.jeffEnvironments} process(es) under it, ${r.jeffColdStartsDuring} cold start(s) while measured` +
        (r.remeasured ? `; ${r.remeasured} slice(s) measured again for noise` : ""),
      `${r.client}·${r.connections}: Jeff's CPU per invoke ${fmt(r.Jeff.cpuPerRequest)} µs = ${fmt(r.Jeff.mainCpuPerRequest)} µs in ` +
        `its own process + ${fmt(r.Jeff.cpuPerRequest - r.Jeff.mainCpuPerRequest)} µs in its environments` +
        (r[gciTarget]
          ? `; per signed GetCallerIdentity ${fmt(r[gciTarget].cpuPerRequest)} µs (invoke/GetCallerIdentity ` +
            `${fmt(r.Jeff.cpuPerRequest / r[gciTarget].cpuPerRequest, 2)}x)`
          : ""),
    ]);
    for (const n of notes) console.log(`note: ${n}`);
    for (const line of perfReports) console.log(line);
    results.peers = {
      fastify: memory(fastify.child.pid),
      sls: treeMemory(sls.child.pid),
      jeff: treeMemory(jeff.child.pid),
    };
    console.log(
      `memory after the warm runs: Jeff ${fmt(results.peers.jeff.ownMiB)} MiB + ${fmt(results.peers.jeff.childrenMiB)} MiB in ` +
        `${results.peers.jeff.children} children; Fastify ${fmt(results.peers.fastify.rssMiB)} MiB; ` +
        `serverless-offline ${fmt(results.peers.sls.ownMiB)} MiB + ${fmt(results.peers.sls.childrenMiB)} MiB in ${results.peers.sls.children} children`,
    );
  }

  // ---- cold ----
  if (parts.has("cold")) {
    console.log(`\n== cold start: ${coldSamples} samples per runtime and target\n`);
    const pools = [new Pool(jeff.url, { connections: 1 }), new Pool(sls.url, { connections: 1 })];
    for (const p of pools) closers.push(() => p.destroy());
    const [jeffPool, slsPool] = pools;
    // A second Jeff that starts environments ahead of need (--prestart), and the machine's own
    // baseline: how long a bare `node -e 0` takes here.
    const pj = await startJeff("jeff-prestart", join(work, "data-prestart"), { JEFF_FUNCTION_PRESTART: "1" });
    processes.push(pj);
    const pjLambda = adminClient(pj.url, pj.creds);
    closers.push(() => pjLambda.destroy());
    const pjPool = new Pool(pj.url, { connections: 1 });
    closers.push(() => pjPool.destroy());
    // A third with pooled slots (--warm-pool 1): a new function's first invoke takes a slot.
    // Its environments end 10 s after their invoke, so the samples do not pile up; the slots stay
    // wanted while samples keep coming.
    const wp = await startJeff("jeff-pool", join(work, "data-pool"), {
      JEFF_FUNCTION_POOL: "1",
      JEFF_FUNCTION_IDLE_MS: "10000",
    });
    processes.push(wp);
    const wpLambda = adminClient(wp.url, wp.creds);
    closers.push(() => wpLambda.destroy());
    const wpPool = new Pool(wp.url, { connections: 1 });
    closers.push(() => wpPool.destroy());
    const nodeBaseline = [];
    const pythonBaseline = [];
    const pythonExe = python && join(python, "python3");
    for (let i = 0; i < coldSamples; i++) {
      let t = performance.now();
      await run(process.execPath, ["-e", "0"]);
      nodeBaseline.push(performance.now() - t);
      if (!pythonExe) continue;
      t = performance.now();
      await run(pythonExe, ["-c", "0"]);
      pythonBaseline.push(performance.now() - t);
    }
    const runtimes = [
      {
        label: "Node (nodejs20.x)",
        runtime: "nodejs20.x",
        file: "index.mjs",
        code: NODE_HANDLER,
        sls: "cold",
      },
      ...(python
        ? [
            {
              label: "Python (python3.11)",
              runtime: "python3.11",
              file: "index.py",
              code: PYTHON_HANDLER,
              sls: "pycold",
            },
          ]
        : []),
    ];
    for (const rt of runtimes) {
      const name = `bench-cold-${rt.runtime.replace(/\W/g, "")}`;
      await createFunction(lambda, accountId, name, rt);
      const cold = [];
      const warmAfter = [];
      const cpu0 = machineCpu();
      const t0 = performance.now();
      for (let i = 0; i < coldSamples; i++) {
        await lambda.send(
          new UpdateFunctionConfigurationCommand({
            FunctionName: name,
            Environment: { Variables: { BENCH_SAMPLE: String(i) } },
          }),
        );
        // The previous environment is retired when the next one starts: let that finish first.
        await new Promise((r) => setTimeout(r, 50));
        const first = await timedInvoke(jeffPool, jeff.url, creds, name);
        if (first.initMs === undefined) throw new Error(`${name}: sample ${i} was not a cold start`);
        cold.push(first);
        warmAfter.push(await timedInvoke(jeffPool, jeff.url, creds, name));
      }
      const elapsed = (performance.now() - t0) / 1000;
      // With --prestart: change the function, wait until its next environment has run its init
      // (the metric says so), then invoke, as a developer invokes after a save.
      const created = await jeffMetric(pj.url, "jeff_function_environments_prestarted_total");
      await createFunction(pjLambda, pj.info.accountId, name, rt);
      // The create's own environment first, so that it is not taken for a change's.
      await untilMetricAbove(pj.url, "jeff_function_environments_prestarted_total", created, name);
      const prestarted = [];
      for (let i = 0; i < coldSamples; i++) {
        const before = await jeffMetric(pj.url, "jeff_function_environments_prestarted_total");
        await pjLambda.send(
          new UpdateFunctionConfigurationCommand({
            FunctionName: name,
            Environment: { Variables: { BENCH_SAMPLE: String(i) } },
          }),
        );
        await untilMetricAbove(pj.url, "jeff_function_environments_prestarted_total", before, name);
        const first = await timedInvoke(pjPool, pj.url, pj.creds, name);
        if (first.initMs !== undefined)
          throw new Error(`${name}: sample ${i} ran a cold start with --prestart`);
        prestarted.push(first);
      }
      // With --warm-pool 1: a kind's first cold start asks for a slot; then each sample waits until
      // one stands by, creates a new function and invokes it for the first time.
      await createFunction(wpLambda, wp.info.accountId, `${name}-seed`, rt);
      await timedInvoke(wpPool, wp.url, wp.creds, `${name}-seed`);
      const pooled = [];
      for (let i = 0; i < coldSamples; i++) {
        const fresh = `${name}-p${i}`;
        await createFunction(wpLambda, wp.info.accountId, fresh, rt);
        await untilMetricAbove(
          wp.url,
          `jeff_function_pool_slots{runtime="${rt.runtime}",memory="128",tmp="512",state="ready"}`,
          0,
          fresh,
        );
        const taken = await jeffMetric(wp.url, "jeff_function_environments_from_pool_total");
        const first = await timedInvoke(wpPool, wp.url, wp.creds, fresh);
        if (first.initMs === undefined) throw new Error(`${fresh}: a first invoke without an Init Duration`);
        if ((await jeffMetric(wp.url, "jeff_function_environments_from_pool_total")) !== taken + 1)
          throw new Error(`${fresh}: sample ${i} was not served by a pooled slot`);
        pooled.push(first);
      }
      const slsFirst = [];
      for (let i = 0; i < coldSamples; i++) {
        slsFirst.push((await timedInvoke(slsPool, sls.url, slsCreds, sls.fn(`${rt.sls}${i}`))).ms);
        await new Promise((r) => setTimeout(r, 50));
      }
      const row = {
        runtime: rt.label,
        jeffInit: summaryOf(cold.map((c) => c.initMs)),
        jeffFirst: summaryOf(cold.map((c) => c.ms)),
        jeffWarm: summaryOf(warmAfter.map((c) => c.ms)),
        jeffPrestarted: summaryOf(prestarted.map((c) => c.ms)),
        jeffPooledInit: summaryOf(pooled.map((c) => c.initMs)),
        jeffPooled: summaryOf(pooled.map((c) => c.ms)),
        nodeBaseline: summaryOf(nodeBaseline),
        // The baseline of the runtime's own language: python3 -c 0 for Python, node -e 0 for Node.
        baseline: rt.runtime.startsWith("python")
          ? { label: "python3 -c 0", s: summaryOf(pythonBaseline) }
          : { label: "node -e 0", s: summaryOf(nodeBaseline) },
        slsFirst: summaryOf(slsFirst),
        machineCpu: (100 * (machineCpu() - cpu0)) / elapsed,
      };
      results.cold.push(row);
    }
    for (const line of coldTable(results.cold)) console.log(line);
  }

  // ---- memory ----
  // ---- payload ----
  if (parts.has("payload")) {
    const samples = Math.max(1, Math.min(100, Number(opts["payload-samples"])));
    const letters = 5_900_000;
    const body = JSON.stringify({ s: "x".repeat(letters) });
    console.log(
      `\n== payload: a ${(body.length / 1e6).toFixed(1)} MB event, ${samples} warm invokes per function\n`,
    );
    const base = [];
    for (let i = 0; i < samples; i++) {
      const t = performance.now();
      JSON.stringify(JSON.parse(body));
      base.push(performance.now() - t);
    }
    const functions = [
      { label: "Node 128 MB", runtime: "nodejs20.x", file: "index.mjs", code: LENGTH_NODE, memoryMb: 128 },
      { label: "Node 1,024 MB", runtime: "nodejs20.x", file: "index.mjs", code: LENGTH_NODE, memoryMb: 1024 },
      { label: "Python 128 MB", runtime: "python3.12", file: "index.py", code: LENGTH_PYTHON, memoryMb: 128 },
    ];
    const pool = new Pool(jeff.url, { connections: 1 });
    closers.push(() => pool.destroy());
    const rows = [];
    for (const [i, f] of functions.entries()) {
      const name = `bench-payload-${i}`;
      await createFunction(lambda, accountId, name, f);
      const latency = [];
      const duration = [];
      for (let n = 0; n <= samples; n++) {
        const r = await timedInvoke(pool, jeff.url, creds, name, body);
        if (r.text !== String(letters)) throw new Error(`${name}: unexpected answer ${r.text.slice(0, 200)}`);
        // The first invoke starts the environment: not counted.
        if (n === 0) continue;
        latency.push(r.ms);
        duration.push(r.durationMs);
      }
      rows.push({ label: f.label, latency: summaryOf(latency), duration: summaryOf(duration) });
    }
    const baseline = summaryOf(base);
    results.payload = { bytes: body.length, baseline, rows };
    const columns = [
      ["function", 13, (r) => r.label, "l"],
      ["client p50 ms", 13, (r) => fmt(r.latency.p50, 1)],
      ["client max ms", 13, (r) => fmt(r.latency.max, 1)],
      ["Duration p50 ms", 15, (r) => fmt(r.duration.p50, 1)],
      ["client p50 / parse+stringify", 28, (r) => `${fmt(r.latency.p50 / baseline.p50, 1)}x`],
    ];
    console.log(tableLines(columns, rows).join("\n"));
    console.log(`JSON.parse + JSON.stringify of the event in this process: p50 ${fmt(baseline.p50, 1)} ms`);
  }

  if (parts.has("memory")) {
    console.log(`\n== memory: a second Jeff with JEFF_FUNCTION_IDLE_MS=2000, a burst of ${burst} at once\n`);
    const mj = await startJeff("jeff-memory", join(work, "data-memory"), { JEFF_FUNCTION_IDLE_MS: "2000" });
    processes.push(mj);
    const pid = mj.child.pid;
    await new Promise((r) => setTimeout(r, 1000));
    const idle = treeMemory(pid);
    const ml = adminClient(mj.url, mj.creds);
    closers.push(() => ml.destroy());
    await createFunction(ml, mj.info.accountId, "bench-hold", {
      runtime: "nodejs20.x",
      file: "index.mjs",
      code: HOLD_HANDLER,
    });
    const holdPool = new Pool(mj.url, { connections: burst });
    closers.push(() => holdPool.destroy());
    const body = JSON.stringify({ ms: 1500 });
    const path = invokePath("bench-hold");
    const headers = await signedHeaders(mj.url, mj.creds, {
      service: "lambda",
      path,
      body,
      headers: { "content-type": "application/json" },
    }).get();
    let peak = { ownMiB: 0, childrenMiB: 0, children: 0, sum: 0 };
    let done = false;
    const sampler = (async () => {
      const until = performance.now() + 30_000;
      while (!done && performance.now() < until) {
        const m = treeMemory(pid);
        const sum = m.ownMiB + m.childrenMiB;
        if (sum > peak.sum) peak = { ...m, sum };
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const burstStarted = performance.now();
    const answers = await Promise.all(
      Array.from({ length: burst }, async () => {
        const res = await holdPool.request({ path, method: "POST", headers, body });
        await res.body.text();
        return res.statusCode;
      }),
    );
    const burstMs = performance.now() - burstStarted;
    done = true;
    await sampler;
    if (answers.some((s) => s !== 200)) throw new Error(`burst: statuses ${answers.join(",")}`);
    const afterBurst = treeMemory(pid);
    const reapStarted = performance.now();
    let reaped = afterBurst;
    while (performance.now() - reapStarted < 20_000) {
      await new Promise((r) => setTimeout(r, 250));
      reaped = treeMemory(pid);
      if (reaped.children === 0) break;
    }
    const reapMs = performance.now() - reapStarted;
    await new Promise((r) => setTimeout(r, 1000));
    reaped = treeMemory(pid);
    results.memory = { idle, peak, afterBurst, reaped, reapMs, burstMs, burst };
    for (const line of memoryTable(results.memory)) console.log(line);
    console.log(
      `note: the burst of ${burst} invocations holding 1.5 s each took ${(burstMs / 1000).toFixed(2)} s; ` +
        `every environment was reaped ${(reapMs / 1000).toFixed(1)} s after the burst (idle limit 2 s)`,
    );
  }

  // ---- verdict ----
  console.log("");
  // The BRIEF's goals and issue 10's, each against what this run measured beside it.
  for (const r of results.warm.filter((w) => w.client === "raw")) {
    console.log(
      `goal (BRIEF: warm invoke >= 3x serverless-offline, sandboxed): raw·${r.connections} gives ` +
        `${fmt(r.vsSls.rps, 2)}x (${fmt(r.vsSls.min, 2)}-${fmt(r.vsSls.max, 2)} by round): ${r.vsSls.rps >= 3 ? "met" : "MISSED"}`,
    );
    const gci = r[gciTarget];
    if (gci) {
      const ratio = r.Jeff.cpuPerRequest / gci.cpuPerRequest;
      console.log(
        `goal (issue 10: CPU per warm invoke <= 2x per signed GetCallerIdentity): raw·${r.connections} gives ` +
          `${fmt(r.Jeff.cpuPerRequest)} µs / ${fmt(gci.cpuPerRequest)} µs = ${fmt(ratio, 2)}x: ${ratio <= 2 ? "met" : "MISSED"}`,
      );
    }
    // What no process-per-environment design could beat here: the floor peer, measured alongside.
    const floor = r[floorTarget];
    const hop = floor.cpuPerRequest - r.Fastify.cpuPerRequest;
    console.log(
      `the process floor, raw·${r.connections}: ${fmt(floor.rps)} req/s = ${fmt(floor.rps / r["sls-offline"].rps, 2)}x ` +
        `serverless-offline; ${fmt(floor.cpuPerRequest)} µs of CPU per invoke (${fmt(floor.mainCpuPerRequest)} µs ` +
        `its server + ${fmt(floor.cpuPerRequest - floor.mainCpuPerRequest)} µs its processes), of which ` +
        `${fmt(hop)} µs beyond bare Fastify's answer` +
        (gci ? `, against the CPU goal's ${fmt(gci.cpuPerRequest)} µs beyond a GetCallerIdentity` : "") +
        `; Jeff reaches ${fmt(r.vsFloor.rps, 2)}x the floor's req/s`,
    );
  }
  for (const c of results.cold) {
    for (const [what, s] of [
      ["started ahead (--prestart)", c.jeffPrestarted],
      ["from a pooled slot (--warm-pool)", c.jeffPooled],
    ]) {
      if (!s || !Number.isFinite(s.p50)) continue;
      const ratio = s.p50 / c.baseline.s.p50;
      console.log(
        `goal (BRIEF: cold start p50 <= 0.25x ${c.baseline.label}): ${c.runtime}, ${what}: ${fmt(s.p50, 1)} ms / ` +
          `${fmt(c.baseline.s.p50, 1)} ms = ${fmt(ratio, 2)}x: ${ratio <= 0.25 ? "met" : "MISSED"}`,
      );
    }
  }
  if (opts.json) {
    await writeFile(
      opts.json,
      `${JSON.stringify({ date: new Date().toISOString(), cpuModel, cores: cpus().length, versions, duration, warmup, rounds, ...results }, null, 2)}\n`,
    );
  }
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  for (const close of closers) {
    try {
      close();
    } catch {
      // already closed
    }
  }
  await Promise.all(processes.map(stopProcess));
  await rm(work, { recursive: true, force: true });
}

if (profileDir) {
  const dir = join(profileDir, "jeff");
  let files = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
  } catch {
    // no profile written
  }
  for (const f of files) console.log(`\n== jeff profile ==\n${summarize(join(dir, f), 25).join("\n")}`);
}
process.exitCode = exitCode;

// ---- perf ----------------------------------------------------------------------------------------

/**
 * Starts `perf record` (cpu-clock, call graphs) on Jeff's process and, separately, on its
 * environments' runtime processes (the `node` and `python3` under it); `stop()` ends both and
 * answers a summary of each. Nothing happens where perf is missing or the kernel refuses it.
 */
async function perfBothSides(jeffPid, dir, label) {
  const runtimes = descendants(jeffPid).filter((pid) => {
    try {
      return /^(node|python3)/.test(readFileSync(`/proc/${pid}/comm`, "utf8"));
    } catch {
      return false;
    }
  });
  const sides = [
    ["Jeff's process", [jeffPid]],
    [`its environments (${runtimes.length} runtime processes)`, runtimes],
  ].filter(([, pids]) => pids.length > 0);
  const records = [];
  for (const [what, pids] of sides) {
    const file = join(dir, `perf-${label}-${records.length}.data`);
    const child = spawn(
      "perf",
      ["record", "-q", "-e", "cpu-clock", "-F", "999", "-g", "-o", file, "-p", pids.join(",")],
      {
        stdio: "ignore",
      },
    );
    const exited = new Promise((resolveExit) => {
      child.once("exit", resolveExit);
      child.once("error", () => resolveExit(null));
    });
    records.push({ what, file, child, exited });
  }
  // perf attaches in well under a second; the measurement that follows is seconds long.
  await new Promise((r) => setTimeout(r, 500));
  return {
    async stop() {
      const lines = [];
      for (const { what, file, child, exited } of records) {
        child.kill("SIGINT");
        await exited;
        const report = async (sort) => {
          try {
            const { stdout } = await run(
              "perf",
              [
                "report",
                "-i",
                file,
                "--no-children",
                "--sort",
                sort,
                "--stdio",
                "-g",
                "none",
                "--percent-limit",
                "1",
              ],
              { maxBuffer: 16 * 1024 * 1024 },
            );
            return stdout.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));
          } catch {
            return [];
          }
        };
        const dsos = await report("dso");
        if (dsos.length === 0) {
          lines.push(`perf ${label}: ${what}: no samples (perf missing, or refused here)`);
          continue;
        }
        lines.push(`perf ${label}: ${what}, by where the CPU went:`, ...dsos.slice(0, 6));
        lines.push(`perf ${label}: ${what}, top symbols:`, ...(await report("sym")).slice(0, 12));
      }
      return lines;
    },
  };
}

// ---- tables -----------------------------------------------------------------------------------

function warmTable(row, header) {
  const names = ["Jeff", ...(row[gciTarget] ? [gciTarget] : []), "Fastify", floorTarget, "sls-offline"];
  const ratio = (r, name) => (name === "Jeff" ? `${fmt(r.rps, 2)}x (${fmt(r.min, 2)}-${fmt(r.max, 2)})` : "");
  const columns = [
    ["client", 6, () => row.client, "l"],
    ["conns", 5, () => String(row.connections), "l"],
    ["target", 11, (n) => n, "l"],
    ["req/s", 6, (n) => fmt(row[n].rps)],
    ["p50 ms", 6, (n) => fmt(row[n].p50, 2)],
    ["p99 ms", 6, (n) => fmt(row[n].p99, 2)],
    ["client CPU", 10, (n) => `${fmt(row[n].clientCpu)} %`],
    ["server CPU", 10, (n) => `${fmt(row[n].serverCpu)} %`],
    ["server CPU/req", 14, (n) => `${fmt(row[n].cpuPerRequest)} µs`],
    [
      "own process",
      11,
      (n) => (Number.isFinite(row[n].mainCpuPerRequest) ? `${fmt(row[n].mainCpuPerRequest)} µs` : ""),
    ],
    ["others' CPU", 11, (n) => `${fmt(row[n].otherCpu)} %`],
    ["Jeff/Fastify req/s (rounds)", 27, (n) => ratio(row.vsFastify, n)],
    ["Jeff/Fastify by CPU/req", 23, (n) => (n === "Jeff" ? `${fmt(row.vsFastify.cpu, 2)}x` : "")],
    ["Jeff/sls req/s (rounds)", 23, (n) => ratio(row.vsSls, n)],
  ];
  return tableLines(columns, names, header);
}

function coldTable(rows) {
  const lines = [];
  const cells = [];
  for (const r of rows) {
    cells.push({ runtime: r.runtime, what: "Jeff: Init Duration (REPORT)", s: r.jeffInit });
    cells.push({ runtime: r.runtime, what: "Jeff: first invoke, client", s: r.jeffFirst });
    cells.push({ runtime: r.runtime, what: "Jeff: next (warm) invoke", s: r.jeffWarm });
    cells.push({ runtime: r.runtime, what: "Jeff --prestart: first invoke", s: r.jeffPrestarted });
    cells.push({ runtime: r.runtime, what: "Jeff --warm-pool: Init Duration", s: r.jeffPooledInit });
    cells.push({ runtime: r.runtime, what: "Jeff --warm-pool: first invoke", s: r.jeffPooled });
    cells.push({ runtime: r.runtime, what: "sls-offline: first request", s: r.slsFirst, r });
    cells.push({ runtime: r.runtime, what: "machine: node -e 0", s: r.nodeBaseline });
    if (r.baseline.label !== "node -e 0")
      cells.push({ runtime: r.runtime, what: `machine: ${r.baseline.label}`, s: r.baseline.s });
  }
  const columns = [
    ["runtime", 19, (c) => c.runtime, "l"],
    ["measure", 32, (c) => c.what, "l"],
    ["n", 3, (c) => String(c.s.n)],
    ["p50 ms", 7, (c) => fmt(c.s.p50, 1)],
    ["p90 ms", 7, (c) => fmt(c.s.p90, 1)],
    ["min ms", 7, (c) => fmt(c.s.min, 1)],
    ["max ms", 7, (c) => fmt(c.s.max, 1)],
  ];
  lines.push(...tableLines(columns, cells));
  for (const r of rows) {
    lines.push(
      `note: ${r.runtime}: Jeff's first invoke p50 / serverless-offline's first request p50 = ` +
        `${fmt(r.jeffFirst.p50 / r.slsFirst.p50, 2)} (below 1: Jeff starts faster); the machine was ` +
        `${fmt(r.machineCpu)} % busy (of one core) during Jeff's samples`,
    );
    lines.push(
      `note: ${r.runtime}: with --prestart, Jeff's first invoke p50 / ${r.baseline.label} p50 = ` +
        `${fmt(r.jeffPrestarted.p50 / r.baseline.s.p50, 2)} (the goal: at most 0.25)`,
    );
    lines.push(
      `note: ${r.runtime}: with --warm-pool, a new function's first invoke p50 / ${r.baseline.label} p50 = ` +
        `${fmt(r.jeffPooled.p50 / r.baseline.s.p50, 2)} (the goal: at most 0.25)`,
    );
  }
  return lines;
}

function memoryTable(m) {
  const rows = [
    { when: "idle, after start", v: m.idle },
    { when: `peak of the burst (${m.burst} at once)`, v: m.peak },
    { when: "right after the burst", v: m.afterBurst },
    { when: "after reaping", v: m.reaped },
  ];
  const columns = [
    ["when", 31, (r) => r.when, "l"],
    ["Jeff RSS", 9, (r) => `${fmt(r.v.ownMiB)} MiB`],
    ["children", 8, (r) => String(r.v.children)],
    ["children RSS", 12, (r) => `${fmt(r.v.childrenMiB)} MiB`],
    ["total", 9, (r) => `${fmt(r.v.ownMiB + r.v.childrenMiB)} MiB`],
  ];
  return tableLines(columns, rows);
}
