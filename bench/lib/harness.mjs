// What every benchmark under bench/ shares: starting and stopping the servers under test, reading
// CPU and memory from /proc, a SigV4-signed raw client, the closed-loop load driver and the
// alternating, noise-guarded measurement rounds. Each benchmark keeps its own peers and tables.
import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { Sha256 } from "@smithy/core/checksum";
import { SignatureV4 } from "@smithy/signature-v4";
import { Pool } from "undici";

// ---- processes --------------------------------------------------------------------------------

/** The first whole JSON document in `text`, or undefined while there is none yet. */
export function firstJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Spawns `command ARGS` and resolves once `ready(output so far)` returns something: that value is
 * the process's `info`. `watch` names the streams whose text `ready` sees (the rest is inherited,
 * or collected when `quiet`). `detached` gives the process its own group, which stopProcess ends
 * as a whole.
 */
export function startProcess(name, command, args, options = {}) {
  const {
    cwd,
    env = {},
    ready = firstJson,
    watch = ["stdout"],
    detached = false,
    quiet = false,
    timeoutMs = 30_000,
  } = options;
  const stdio = ["ignore", "pipe", watch.includes("stderr") || quiet ? "pipe" : "inherit"];
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio, detached });
  let out = "";
  let settled = false;
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start in ${timeoutMs / 1000} s: ${out.slice(-2000)}`)),
      timeoutMs,
    );
    const onData = (chunk) => {
      if (settled) return;
      out += chunk;
      const info = ready(out);
      if (info === undefined) return;
      settled = true;
      clearTimeout(timer);
      resolvePromise({ name, child, info, detached, output: () => out });
    };
    for (const stream of ["stdout", "stderr"]) {
      const s = child[stream];
      if (!s) continue;
      s.setEncoding("utf8");
      if (watch.includes(stream)) s.on("data", onData);
      else s.resume();
    }
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (!settled) reject(new Error(`${name} exited with ${code} before it was ready: ${out.slice(-2000)}`));
    });
  });
}

/** SIGTERM (to the whole group when detached), SIGKILL after 10 s; resolves once it has exited. */
export function stopProcess({ child, detached }) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const signal = (name) => {
    try {
      if (detached) process.kill(-child.pid, name);
      else child.kill(name);
    } catch {
      // gone already
    }
  };
  return new Promise((resolvePromise) => {
    const kill = setTimeout(() => signal("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolvePromise();
    });
    signal("SIGTERM");
  });
}

const clockTicks = 100; // USER_HZ on Linux

function statFields(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which may itself hold spaces and parentheses.
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** CPU seconds (user + system) a process has used so far; NaN where /proc is not there. */
export function processCpu(pid) {
  try {
    const fields = statFields(pid);
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return Number.NaN;
  }
}

/** The pids of every live descendant of `pid` (scans /proc: this kernel has no task/children). */
export function descendants(pid) {
  const parentOf = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      parentOf.set(Number(entry), Number(statFields(entry)[1]));
    } catch {
      // ended while we looked
    }
  }
  const found = [];
  let frontier = new Set([pid]);
  while (frontier.size > 0) {
    const next = new Set();
    for (const [child, parent] of parentOf) {
      if (frontier.has(parent)) {
        found.push(child);
        next.add(child);
      }
    }
    frontier = next;
  }
  return found;
}

/**
 * CPU seconds of a process and its live descendants. A descendant that ends between two readings
 * takes its share with it, so use this across spans in which the children stay (warm ones).
 */
export function treeCpu(pid) {
  let total = processCpu(pid);
  for (const child of descendants(pid)) {
    const cpu = processCpu(child);
    if (Number.isFinite(cpu)) total += cpu;
  }
  return total;
}

/**
 * CPU seconds used so far by the local PostgreSQL server (its postmaster and live backends), or 0
 * where none runs here: a benchmark on PostgreSQL counts it as part of what it measures, not as
 * another process's noise.
 */
export function postgresCpu() {
  let pid;
  try {
    pid = Number(execFileSync("pgrep", ["-o", "-x", "postgres"], { encoding: "utf8" }).trim());
  } catch {
    return 0;
  }
  const cpu = treeCpu(pid);
  return Number.isFinite(cpu) ? cpu : 0;
}

/** Busy CPU seconds of the whole machine (all cores, every process and the kernel) so far. */
export function machineCpu() {
  try {
    const ticks = readFileSync("/proc/stat", "utf8")
      .split("\n", 1)[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const total = ticks.reduce((x, y) => x + y, 0);
    const idle = ticks[3] + (ticks[4] ?? 0);
    return (total - idle) / clockTicks;
  } catch {
    return Number.NaN;
  }
}

/** VmRSS and VmHWM (peak) of a process in MiB; NaN once it is gone. */
export function memory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
    return { rssMiB: kb("VmRSS") / 1024, peakMiB: kb("VmHWM") / 1024 };
  } catch {
    return { rssMiB: Number.NaN, peakMiB: Number.NaN };
  }
}

/** RSS of a process and the sum over its live descendants, in MiB. */
export function treeMemory(pid) {
  const children = descendants(pid);
  let childrenMiB = 0;
  for (const child of children) {
    const { rssMiB } = memory(child);
    if (Number.isFinite(rssMiB)) childrenMiB += rssMiB;
  }
  return { ownMiB: memory(pid).rssMiB, childrenMiB, children: children.length };
}

// ---- clients ----------------------------------------------------------------------------------

/**
 * SigV4 headers for one fixed request (method, path, body), signed again once a second and
 * replayed in between, which SigV4's 15-minute window allows.
 */
export function signedHeaders(url, creds, { service, method = "POST", path = "/", body = "", headers = {} }) {
  const { host, hostname, port } = new URL(url);
  const signer = new SignatureV4({
    service,
    region: creds.AWS_REGION,
    credentials: { accessKeyId: creds.AWS_ACCESS_KEY_ID, secretAccessKey: creds.AWS_SECRET_ACCESS_KEY },
    sha256: Sha256,
  });
  let current;
  let signedAt = 0;
  let pending;
  const sign = async () => {
    const req = await signer.sign({
      method,
      protocol: "http:",
      hostname,
      port: Number(port),
      path,
      query: {},
      headers: { host, ...headers },
      body,
    });
    current = req.headers;
    signedAt = Date.now();
    pending = undefined;
    return current;
  };
  return {
    async get() {
      if (Date.now() - signedAt < 1000) return current;
      pending ??= sign();
      return current ?? pending;
    },
  };
}

/**
 * An undici Pool with one request in flight per connection, sending one signed request over and
 * over; the body is read, not parsed. `fire` resolves with the text and the response headers.
 */
export function rawClient(url, creds, connections, request) {
  const { method = "POST", path = "/", body = "" } = request;
  const pool = new Pool(url, { connections, pipelining: 1 });
  const headers = signedHeaders(url, creds, request);
  return {
    fire: async () => {
      const res = await pool.request({ path, method, headers: await headers.get(), body });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
      return text;
    },
    close: () => pool.destroy(),
  };
}

// ---- load and measurement ---------------------------------------------------------------------

/**
 * `connections` loops calling `fire` back to back for `seconds`; latencies only when recording.
 * `serverCpu` is a pid or a function returning the server's CPU seconds so far; `mainCpu`, if
 * given, returns the CPU seconds of the server's own process alone (without its children).
 */
export async function drive(fire, connections, seconds, record, serverCpu, mainCpu) {
  const cpuOf = typeof serverCpu === "function" ? serverCpu : () => processCpu(serverCpu);
  const latencies = [];
  let ok = 0;
  let errors = 0;
  let firstError;
  const started = performance.now();
  const end = started + seconds * 1000;
  const clientCpu0 = process.cpuUsage();
  const serverCpu0 = cpuOf();
  const mainCpu0 = mainCpu?.() ?? 0;
  const machineCpu0 = machineCpu();
  const loop = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        await fire();
        ok++;
        if (record) latencies.push(performance.now() - t0);
      } catch (error) {
        errors++;
        firstError ??= error;
        if (errors > 100 && ok === 0) break;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  const elapsed = (performance.now() - started) / 1000;
  const clientCpu = process.cpuUsage(clientCpu0);
  const serverCpuUsed = cpuOf() - serverCpu0;
  const mainCpuUsed = mainCpu ? mainCpu() - mainCpu0 : Number.NaN;
  const ownCpu = (clientCpu.user + clientCpu.system) / 1e6 + serverCpuUsed;
  return {
    otherCpu: Math.max(0, machineCpu() - machineCpu0 - ownCpu),
    ok,
    errors,
    firstError,
    elapsed,
    latencies,
    clientCpu: (clientCpu.user + clientCpu.system) / 1e6,
    serverCpu: serverCpuUsed,
    mainCpu: mainCpuUsed,
  };
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const median = (values) =>
  percentile(
    [...values].sort((x, y) => x - y),
    50,
  );

/**
 * Warms every target up, then runs `rounds` rounds that alternate the order of the targets
 * (A B C, C B A, ...), measuring each for `duration / rounds` seconds per visit. A visit during
 * which other processes used more than `maxNoise` % of a core is measured again (up to `maxRetries`
 * times, default 10).
 * Targets are `{ name, cpu, mainCpu? }` (see drive); `clients` maps a name to a client
 * with `fire`. Returns per-target totals, each round's req/s per target and the re-measured count.
 */
export async function measureRounds({
  targets,
  clients,
  connections,
  warmup,
  rounds,
  duration,
  maxNoise,
  maxRetries = 10,
}) {
  const acc = new Map(
    targets.map((t) => [t.name, { ok: 0, errors: 0, elapsed: 0, lat: [], cc: 0, sc: 0, mc: 0, oc: 0 }]),
  );
  let remeasured = 0;
  for (const t of targets) {
    if (warmup > 0) await drive(clients.get(t.name).fire, connections, warmup, false, t.cpu, t.mainCpu);
  }
  const roundRps = [];
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? targets : [...targets].reverse();
    const rps = {};
    for (const t of order) {
      const fire = clients.get(t.name).fire;
      let run = await drive(fire, connections, duration / rounds, true, t.cpu, t.mainCpu);
      // A slice during which other processes took a real share of the machine is measured again.
      for (let retry = 0; retry < maxRetries && (100 * run.otherCpu) / run.elapsed > maxNoise; retry++) {
        remeasured++;
        await new Promise((resolveWait) => setTimeout(resolveWait, 1000));
        await drive(fire, connections, 0.25, false, t.cpu, t.mainCpu);
        run = await drive(fire, connections, duration / rounds, true, t.cpu, t.mainCpu);
      }
      const a = acc.get(t.name);
      a.ok += run.ok;
      a.errors += run.errors;
      a.elapsed += run.elapsed;
      a.cc += run.clientCpu;
      a.sc += run.serverCpu;
      a.mc += run.mainCpu;
      a.oc += run.otherCpu;
      for (const l of run.latencies) a.lat.push(l);
      rps[t.name] = run.ok / run.elapsed;
      if (run.firstError)
        console.error(`${connections} ${t.name}: ${run.errors} errors, first:`, run.firstError);
    }
    roundRps.push(rps);
  }
  const stats = {};
  for (const t of targets) {
    const a = acc.get(t.name);
    a.lat.sort((x, y) => x - y);
    stats[t.name] = {
      rps: a.ok / a.elapsed,
      p50: percentile(a.lat, 50),
      p99: percentile(a.lat, 99),
      errors: a.errors,
      clientCpu: (100 * a.cc) / a.elapsed,
      serverCpu: (100 * a.sc) / a.elapsed,
      cpuPerRequest: (1e6 * a.sc) / a.ok,
      /** The server's own process alone (NaN without `mainCpu`); the rest is its children's. */
      mainCpuPerRequest: (1e6 * a.mc) / a.ok,
      otherCpu: (100 * a.oc) / a.elapsed,
    };
    if (a.errors > 0) console.error(`warning: ${connections} ${t.name}: ${a.errors} failed requests`);
  }
  return { stats, roundRps, remeasured };
}

/** A markdown table: `columns` are [title, width, cell(row), align "l" | "r"]. */
export function tableLines(columns, rows, header = true) {
  const line = (cells) => `| ${cells.join(" | ")} |`;
  const lines = [];
  if (header) {
    lines.push(line(columns.map(([title, width]) => title.padEnd(width))));
    lines.push(
      line(
        columns.map(([, width, , align]) =>
          align === "l" ? "-".repeat(width) : `${"-".repeat(width - 1)}:`,
        ),
      ),
    );
  }
  for (const row of rows) {
    lines.push(
      line(
        columns.map(([, width, cell, align]) =>
          align === "l" ? cell(row).padEnd(width) : cell(row).padStart(width),
        ),
      ),
    );
  }
  return lines;
}

export const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "-");
