// bench/events: EventBridge event patterns, Jeff's matcher beside the npm peers, in one process and
// one run; then PutEvents to delivered through a real Jeff. Two parts:
//
//   match    events per second, JSON parsing included, through each matcher (engines.mjs: Jeff's
//            RuleSet, @coorpacademy/serverless-offline-eventbridge, serverless-offline-aws-eventbridge,
//            and JSON.parse alone as the baseline) with 1, 10, 100, 1,000 and 10,000 rules of mixed
//            operators (workload.mjs), on two data sets: `small`, ~850-byte EventBridge events, and
//            `large`, 20–47 KB events whose detail is an order with nested arrays of objects (there
//            one rule in four reaches into those arrays). Every rule set is given to every matcher;
//            after a warm-up, `--rounds` rounds alternate the matchers' order (A B C D, D C B A, ...),
//            each visit `--slice` seconds (at least one event). Then each peer's answers are compared
//            with Jeff's on a sample of events (Jeff's are AWS's: 168/168 recorded cases).
//   deliver  delivery.mjs: a real `jeff serve`, a nodejs20.x function target reporting to a loopback
//            collector, one rule; `--clients` SDK clients put `--deliver-events` events in batches of
//            10; events/s from the first put to the last arrival, and p50/p99 from each PutEvents
//            answer to that event's arrival at the function. No peer: see BENCHMARKS.md.
//
// Only 127.0.0.1 is contacted; every loop is bounded in time or count.
//
// Usage: npm run bench -- events [--parts match,deliver] [--rules 1,10,100,1000,10000]
//          [--datasets small,large] [--slice 0.4] [--rounds 3] [--sample-seconds 3]
//          [--deliver-events 500] [--clients 4] [--json FILE]
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, freemem, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { fmt, machineCpu, tableLines } from "../lib/harness.mjs";
import { measureDelivery } from "./delivery.mjs";
import { inputsOf, loadEngines } from "./engines.mjs";
import { eventObject, largeRecordObject, nestedRuleText, ruleShapes, ruleText } from "./workload.mjs";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const here = dirname(fileURLToPath(import.meta.url));
const bench = resolve(here, "..");
const root = resolve(here, "../..");
const { values: opts } = parseArgs({
  options: {
    parts: { type: "string", default: "match,deliver" },
    rules: { type: "string", default: "1,10,100,1000,10000" },
    datasets: { type: "string", default: "small,large" },
    slice: { type: "string", default: "0.4" },
    rounds: { type: "string", default: "3" },
    "sample-seconds": { type: "string", default: "3" },
    "deliver-events": { type: "string", default: "500" },
    clients: { type: "string", default: "4" },
    json: { type: "string" },
  },
});
const parts = new Set(opts.parts.split(","));
const ruleCounts = opts.rules.split(",").map(Number);
const slice = Number(opts.slice);
const rounds = Math.max(1, Number(opts.rounds));
const sampleSeconds = Number(opts["sample-seconds"]);

if (!existsSync(join(root, "dist", "events", "pattern", "index.js"))) {
  console.error("bench/events runs the built library and server: run `npm run build` first");
  process.exit(1);
}

const datasets = {
  small: { label: "EventBridge events, ~850 B", events: 1000, make: eventObject, rule: ruleText },
  large: {
    label: "large nested records, 20-47 KB",
    events: 200,
    make: largeRecordObject,
    rule: nestedRuleText,
  },
};

const versionOf = (pkg) =>
  JSON.parse(readFileSync(join(bench, "node_modules", pkg, "package.json"), "utf8")).version;
const peers = ["@coorpacademy/serverless-offline-eventbridge", "serverless-offline-aws-eventbridge"];
const cpuModel = cpus()[0]?.model ?? "unknown";
console.log(
  `bench/events  ${new Date().toISOString()}  node ${process.version}  ${cpus().length} cores (${cpuModel})  ` +
    `${(totalmem() / 2 ** 30).toFixed(1)} GiB (${(freemem() / 2 ** 30).toFixed(1)} free)`,
);
console.log(`peers: ${peers.map((p) => `${p} ${versionOf(p)}`).join(", ")}`);

const results = { match: [], disagreements: [], deliver: undefined };

/** Runs `match` over `texts` for `seconds` (and at least `minEvents` events). */
function runFor(match, texts, seconds, minEvents = 1) {
  let n = 0;
  let matched = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  do {
    matched += match(texts[n % texts.length]).length;
    n++;
  } while (performance.now() < end || n < minEvents);
  return { events: n, seconds: (performance.now() - t0) / 1000, matched };
}

if (parts.has("match")) {
  const { engines, counters } = await loadEngines(root);
  console.log(
    `\n== match: events/s per matcher, JSON parsing included; ${rounds} rounds alternating the order, ` +
      `${slice} s per visit (at least one event)\n`,
  );
  for (const name of opts.datasets.split(",")) {
    const ds = datasets[name];
    const inputs = inputsOf(Array.from({ length: ds.events }, (_, i) => ds.make(i)));
    const sizes = inputs.event.map((t) => t.length).sort((x, y) => x - y);
    console.log(`${name}: ${ds.label} (${ds.events} distinct, ${sizes[0]}–${sizes.at(-1)} bytes)`);
    const rows = [];
    for (const ruleCount of ruleCounts) {
      const rules = Array.from({ length: ruleCount }, (_, i) => ds.rule(i));
      const matchers = engines.map((e) => {
        const t0 = performance.now();
        const match = e.prepare(rules);
        const texts = inputs[e.input];
        match(texts[0]); // Jeff builds its machine on the first match after a change
        return { name: e.name, match, texts, baseline: e.baseline, setupMs: performance.now() - t0 };
      });
      for (const m of matchers) runFor(m.match, m.texts, slice / 2, 2);
      const acc = new Map(matchers.map((m) => [m.name, { events: 0, seconds: 0, matched: 0, rounds: [] }]));
      const cpu0 = process.cpuUsage();
      const machine0 = machineCpu();
      const wall0 = performance.now();
      for (let r = 0; r < rounds; r++) {
        for (const m of r % 2 === 0 ? matchers : [...matchers].reverse()) {
          const run = runFor(m.match, m.texts, slice);
          const a = acc.get(m.name);
          a.events += run.events;
          a.seconds += run.seconds;
          a.matched += run.matched;
          a.rounds.push(run.events / run.seconds);
        }
      }
      const wall = (performance.now() - wall0) / 1000;
      const own = process.cpuUsage(cpu0);
      const others = Math.max(0, machineCpu() - machine0 - (own.user + own.system) / 1e6);
      const row = { dataset: name, rules: ruleCount, othersCpu: (100 * others) / wall, by: {} };
      for (const m of matchers) {
        const a = acc.get(m.name);
        row.by[m.name] = {
          rate: a.events / a.seconds,
          matchesPerEvent: a.matched / a.events,
          events: a.events,
          setupMs: m.setupMs,
          rounds: a.rounds,
        };
      }
      rows.push(row);
      results.match.push(row);

      // Answers beside Jeff's, on the first events of the data set, for at most sampleSeconds each.
      const jeff = matchers.find((m) => m.name === "Jeff");
      for (const m of matchers.filter((x) => x.name !== "Jeff" && !x.baseline)) {
        const d = {
          dataset: name,
          rules: ruleCount,
          peer: m.name,
          events: 0,
          differing: 0,
          extra: 0,
          missed: 0,
        };
        d.byShape = {};
        const throws0 = counters.throws;
        const until = performance.now() + sampleSeconds * 1000;
        for (let i = 0; i < m.texts.length && (i < 2 || performance.now() < until) && i < 200; i++) {
          const expected = new Set(jeff.match(jeff.texts[i]));
          const got = new Set(m.match(m.texts[i]));
          d.events++;
          let differs = false;
          for (const id of got) {
            if (expected.has(id)) continue;
            d.extra++;
            differs = true;
            const shape = shapeOf(name, id);
            d.byShape[shape] = (d.byShape[shape] ?? 0) + 1;
          }
          for (const id of expected) {
            if (got.has(id)) continue;
            d.missed++;
            differs = true;
            const shape = shapeOf(name, id);
            d.byShape[shape] = (d.byShape[shape] ?? 0) + 1;
          }
          if (differs) d.differing++;
        }
        d.throws = counters.throws - throws0;
        results.disagreements.push(d);
      }
    }
    for (const line of matchTable(rows)) console.log(line);
    console.log("");
  }
  for (const line of disagreementLines(results.disagreements)) console.log(line);
}

if (parts.has("deliver")) {
  const count = Number(opts["deliver-events"]);
  const clients = Number(opts.clients);
  console.log(
    `\n== deliver: ${count} events, PutEvents batches of 10 from ${clients} SDK clients, one rule, ` +
      "a nodejs20.x function target reporting to a loopback collector\n",
  );
  const work = await mkdtemp(join(tmpdir(), "jeff-bench-events-"));
  try {
    const d = await measureDelivery({ root, work, count, clients, timeoutMs: 300_000 });
    results.deliver = d;
    const columns = [
      ["events", 6, (x) => String(x.events)],
      ["failed", 6, (x) => String(x.failed)],
      ["dup", 3, (x) => String(x.duplicates)],
      ["put→delivered events/s", 22, (x) => fmt(x.rate)],
      ["accepted events/s", 17, (x) => fmt(x.putRate)],
      ["p50 ms", 7, (x) => fmt(x.p50, 1)],
      ["p99 ms", 7, (x) => fmt(x.p99, 1)],
      ["max ms", 7, (x) => fmt(x.max, 1)],
      ["PutEvents p50/p99 ms", 20, (x) => `${fmt(x.putP50, 1)} / ${fmt(x.putP99, 1)}`],
      ["Jeff CPU/event", 14, (x) => `${fmt(x.jeffCpuPerEvent)} µs`],
      ["machine busy", 12, (x) => `${fmt(x.machineBusy)} %`],
    ];
    for (const line of tableLines(columns, [d])) console.log(line);
    console.log(
      "note: latency is from the PutEvents answer reaching the client to the event reaching the function's " +
        "collector; Jeff CPU includes its execution environments; machine busy is % of one core (200 % = both).",
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

// ---- goals --------------------------------------------------------------------------------------

const rowOf = (dataset, rules) => results.match.find((r) => r.dataset === dataset && r.rules === rules);
const goals = [];
const one = rowOf("small", 1);
if (one) {
  const rate = one.by.Jeff.rate;
  goals.push(
    `>= 300,000 events/s at 1 rule on ~1 KB events: ${fmt(rate)} events/s: ${rate >= 300_000 ? "met" : "MISSED"}`,
  );
}
const ten = rowOf("small", 10);
const tenK = rowOf("small", 10000);
if (ten && tenK) {
  const slower = ten.by.Jeff.rate / tenK.by.Jeff.rate;
  goals.push(
    `10,000 rules no worse than 2x slower than 10: ${fmt(slower, 2)}x slower: ${slower <= 2 ? "met" : "MISSED"}`,
  );
}
for (const r of results.match.filter((x) => x.dataset === "large")) {
  const ratio = r.by.Jeff.rate / r.by["JSON.parse"].rate;
  goals.push(
    `large records, ${r.rules} rules: >= 0.5x JSON.parse alone: ${fmt(ratio, 2)}x: ${ratio >= 0.5 ? "met" : "MISSED"}`,
  );
}
if (goals.length > 0) console.log("");
for (const g of goals) console.log(`goal: ${g}`);
if (opts.json) {
  await writeFile(
    opts.json,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpuModel, cores: cpus().length, ...results, goals }, null, 2)}\n`,
  );
}

// ---- tables -----------------------------------------------------------------------------------

function shapeOf(dataset, id) {
  if (dataset === "large" && id % 4 === 3) return id % 8 === 3 ? "nested: sku + qty" : "nested: bin suffix";
  return ruleShapes[id % 8];
}

function matchTable(rows) {
  const rate = (r, n) => r.by[n].rate;
  const range = (r, n) => {
    const ratios = r.by.Jeff.rounds.map((j, k) => j / r.by[n].rounds[k]);
    return `${fmt(rate(r, "Jeff") / rate(r, n), n === "JSON.parse" ? 2 : 1)}x (${fmt(Math.min(...ratios), n === "JSON.parse" ? 2 : 1)}-${fmt(Math.max(...ratios), n === "JSON.parse" ? 2 : 1)})`;
  };
  const columns = [
    ["rules", 6, (r) => String(r.rules)],
    ["Jeff ev/s", 9, (r) => fmt(rate(r, "Jeff"))],
    ["coorp ev/s", 10, (r) => fmt(rate(r, "coorp"), rate(r, "coorp") < 10 ? 2 : 0)],
    ["aws-eb ev/s", 11, (r) => fmt(rate(r, "aws-eventbridge"), rate(r, "aws-eventbridge") < 10 ? 2 : 0)],
    ["JSON.parse ev/s", 15, (r) => fmt(rate(r, "JSON.parse"))],
    ["Jeff/coorp (rounds)", 21, (r) => range(r, "coorp")],
    ["Jeff/aws-eb (rounds)", 21, (r) => range(r, "aws-eventbridge")],
    ["Jeff/JSON.parse (rounds)", 24, (r) => range(r, "JSON.parse")],
    ["Jeff matches/ev", 15, (r) => fmt(r.by.Jeff.matchesPerEvent, 2)],
    ["Jeff setup ms", 13, (r) => fmt(r.by.Jeff.setupMs)],
    ["others' CPU", 11, (r) => `${fmt(r.othersCpu)} %`],
  ];
  return tableLines(columns, rows);
}

function disagreementLines(list) {
  if (list.length === 0) return [];
  const lines = ["answers that differ from Jeff's (Jeff answers as AWS: 168/168 recorded cases):"];
  const columns = [
    ["data", 5, (d) => d.dataset, "l"],
    ["rules", 6, (d) => String(d.rules)],
    ["peer", 15, (d) => d.peer, "l"],
    ["events", 6, (d) => String(d.events)],
    ["events differing", 16, (d) => `${d.differing} (${fmt((100 * d.differing) / d.events)} %)`],
    ["extra matches", 13, (d) => String(d.extra)],
    ["missed matches", 14, (d) => String(d.missed)],
    ["rule throws", 11, (d) => String(d.throws)],
    [
      "by rule shape",
      40,
      (d) =>
        Object.entries(d.byShape)
          .sort((a, b) => b[1] - a[1])
          .map(([s, n]) => `${s} ${n}`)
          .join("; "),
      "l",
    ],
  ];
  lines.push(...tableLines(columns, list));
  return lines;
}
