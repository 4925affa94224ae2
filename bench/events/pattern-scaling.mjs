#!/usr/bin/env node
// How matching time per event changes with the number of rules in one RuleSet: events per second
// (JSON parsing included) at 10, 100, 1,000 and 10,000 rules of mixed operators, on ~1 KB events
// shaped like EventBridge's. A quick check of the matcher's design, not the full
// bench/events (index.mjs, which compares npm peers on the same rules and events: workload.mjs);
// run `npm run build` first, then
// `node bench/events/pattern-scaling.mjs [--events N]`.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { eventText, ruleText } from "./workload.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const entry = join(root, "dist", "events", "pattern", "index.js");
if (!existsSync(entry)) {
  console.error("bench/events/pattern-scaling.mjs runs the built library: run `npm run build` first");
  process.exit(1);
}
const { compilePattern, RuleSet } = await import(pathToFileURL(entry).href);
const { values: opts } = parseArgs({ options: { events: { type: "string", default: "20000" } } });
const eventCount = Number(opts.events);

const events = Array.from({ length: 1000 }, (_, i) => eventText(i));
console.log(`event size ≈ ${events[0].length} bytes; ${eventCount} events per measurement`);
for (const ruleCount of [10, 100, 1000, 10000]) {
  const set = new RuleSet();
  for (let i = 0; i < ruleCount; i++)
    set.set(`rule-${i}`, compilePattern(JSON.stringify(ruleText(i)), { sizeLimit: 4096 }));
  let matched = 0;
  for (let i = 0; i < 2000; i++) matched += set.matches(events[i % events.length]).length; // warm-up (and index build)
  matched = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < eventCount; i++) matched += set.matches(events[i % events.length]).length;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(
    `${String(ruleCount).padStart(6)} rules: ${Math.round(eventCount / seconds)
      .toLocaleString("en")
      .padStart(9)} events/s, ` +
      `${((seconds / eventCount) * 1e6).toFixed(2)} µs/event, ${(matched / eventCount).toFixed(2)} matches/event`,
  );
}
const parseStart = process.hrtime.bigint();
for (let i = 0; i < eventCount; i++) JSON.parse(events[i % events.length]);
const parseSeconds = Number(process.hrtime.bigint() - parseStart) / 1e9;
console.log(`JSON.parse alone: ${Math.round(eventCount / parseSeconds).toLocaleString("en")} events/s`);
