#!/usr/bin/env node
// Two builds of the event-pattern matcher side by side, in one process: for each rule count, the
// same rules in a RuleSet of each build, then rounds alternating build A, build B and JSON.parse
// alone (A B P, P B A, ...), each `--slice` seconds; events per CPU-second, JSON parsing included.
// Before timing, both builds' answers are compared on every event (`differing events` must be 0).
// On a shared machine this is the steadier measure: neighbours slow both builds alike.
//
// Usage: npm run build, copy dist/ aside (e.g. `cp -r dist /tmp/before`), change, build again, then
//   node bench/events/ab.mjs --a /tmp/before [--b dist] [--dataset small|large]
//     [--rules 1,10,10000] [--rounds 6] [--slice 0.25]
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { eventObject, largeRecordObject, nestedRuleText, ruleText } from "./workload.mjs";

const { values: o } = parseArgs({
  options: {
    a: { type: "string" },
    b: { type: "string", default: "dist" },
    rules: { type: "string", default: "1,10,10000" },
    dataset: { type: "string", default: "small" },
    rounds: { type: "string", default: "6" },
    slice: { type: "string", default: "0.25" },
  },
});
if (o.a === undefined) {
  console.error("usage: node bench/events/ab.mjs --a DIST_BEFORE [--b DIST_AFTER] ...");
  process.exit(1);
}
const load = (dir) => import(pathToFileURL(resolve(dir, "events", "pattern", "index.js")).href);
const A = await load(o.a);
const B = await load(o.b);
const large = o.dataset === "large";
const texts = Array.from({ length: large ? 200 : 1000 }, (_, i) =>
  JSON.stringify((large ? largeRecordObject : eventObject)(i)),
);
const rule = large ? nestedRuleText : ruleText;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
function run(match, seconds) {
  let n = 0;
  let matched = 0;
  const c0 = cpu();
  const end = performance.now() + seconds * 1000;
  do matched += match(texts[n++ % texts.length]).length;
  while (performance.now() < end);
  return { events: n, cpu: cpu() - c0, matched };
}
for (const count of o.rules.split(",").map(Number)) {
  const setOf = (lib) => {
    const set = new lib.RuleSet();
    for (let i = 0; i < count; i++)
      set.set(i, lib.compilePattern(JSON.stringify(rule(i)), { sizeLimit: 4096 }));
    return set;
  };
  const a = setOf(A);
  const b = setOf(B);
  const sorted = (ids) => ids.sort((x, y) => x - y).join();
  const differing = texts.filter((t) => sorted(a.matches(t)) !== sorted(b.matches(t))).length;
  const matchers = {
    A: (t) => a.matches(t),
    B: (t) => b.matches(t),
    P: (t) => {
      JSON.parse(t);
      return [];
    },
  };
  const acc = { A: { events: 0, cpu: 0 }, B: { events: 0, cpu: 0 }, P: { events: 0, cpu: 0 } };
  let matchesPerEvent = 0;
  for (const m of Object.values(matchers)) run(m, 0.1);
  for (let r = 0; r < Number(o.rounds); r++) {
    for (const k of r % 2 ? ["P", "B", "A"] : ["A", "B", "P"]) {
      const x = run(matchers[k], Number(o.slice));
      acc[k].events += x.events;
      acc[k].cpu += x.cpu;
      if (k === "B") matchesPerEvent = x.matched / x.events;
    }
  }
  const rate = (k) => acc[k].events / acc[k].cpu;
  const r = (x) => Math.round(x).toLocaleString("en");
  console.log(
    `${o.dataset} ${String(count).padStart(5)} rules: A ${r(rate("A"))}  B ${r(rate("B"))}  JSON.parse ${r(rate("P"))} ` +
      `events/CPU-s | A/P ${(rate("A") / rate("P")).toFixed(2)}  B/P ${(rate("B") / rate("P")).toFixed(2)}  ` +
      `B/A ${(rate("B") / rate("A")).toFixed(2)} | B matches/event ${matchesPerEvent.toFixed(2)} | differing events ${differing}`,
  );
}
