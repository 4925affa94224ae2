// Summarises a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time, time by
// area (Jeff's dist/, each package, Node's internals, GC), and Jeff's own functions by inclusive
// time. Usage: node bench/edge/profile.mjs FILE.cpuprofile [TOP]
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const special = new Set(["(program)", "(garbage collector)", "(idle)", "(root)"]);

function where(url) {
  if (!url) return "";
  if (url.startsWith("node:")) return url;
  const path = url.startsWith("file://") ? fileURLToPath(url) : url;
  const dist = path.lastIndexOf("/dist/");
  const nm = path.lastIndexOf("/node_modules/");
  if (nm !== -1) return path.slice(nm + "/node_modules/".length);
  if (dist !== -1) return path.slice(dist + 1);
  return path;
}

function area(frame) {
  const name = frame.functionName;
  if (special.has(name)) return name;
  const url = frame.url;
  if (!url) return "(native / V8 builtins)";
  if (url.startsWith("node:")) return `node: ${url.slice(5)}`;
  const w = where(url);
  if (url.includes("/node_modules/")) {
    const parts = w.split("/");
    return `npm: ${parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  if (w.startsWith("dist/")) return `jeff: ${w.split("/")[1]}`;
  return w;
}

function keyOf(frame) {
  const name = frame.functionName || "(anonymous)";
  if (special.has(name)) return name;
  const w = where(frame.url);
  return w ? `${name}  ${w}:${frame.lineNumber + 1}` : `${name}  (native)`;
}

/** Returns the summary as lines of text. */
export function summarize(file, top = 25) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  const areas = new Map();
  const inclusive = new Map();
  let total = 0;
  let idle = 0;
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    const dt = (timeDeltas[i + 1] ?? timeDeltas[i] ?? 0) / 1000; // ms spent at this sample
    const node = byId.get(samples[i]);
    if (node.callFrame.functionName === "(idle)") {
      idle += dt;
      continue;
    }
    total += dt;
    const k = keyOf(node.callFrame);
    self.set(k, (self.get(k) ?? 0) + dt);
    const a = area(node.callFrame);
    areas.set(a, (areas.get(a) ?? 0) + dt);
    const seen = new Set();
    for (let id = samples[i]; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id).callFrame;
      if (!f.url.includes("/dist/") || f.url.includes("/node_modules/")) continue;
      const fk = keyOf(f);
      if (seen.has(fk)) continue;
      seen.add(fk);
      inclusive.set(fk, (inclusive.get(fk) ?? 0) + dt);
    }
  }
  const pct = (ms) => `${((100 * ms) / total).toFixed(1).padStart(5)} %`;
  const list = (m, n) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, ms]) => `  ${pct(ms)}  ${ms.toFixed(0).padStart(7)} ms  ${k}`);
  return [
    `${file}`,
    `busy ${total.toFixed(0)} ms, idle ${idle.toFixed(0)} ms (percentages are of busy time)`,
    "",
    "by area (self time; node:… are Node's own modules):",
    ...list(areas, 20),
    "",
    `top ${top} functions by self time:`,
    ...list(self, top),
    "",
    "Jeff's own functions by inclusive time (self + callees):",
    ...list(inclusive, top),
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error("usage: node bench/edge/profile.mjs FILE.cpuprofile [TOP]");
    process.exit(1);
  }
  console.log(summarize(file, Number(top ?? 25)).join("\n"));
}
