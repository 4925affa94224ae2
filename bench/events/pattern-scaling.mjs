#!/usr/bin/env node
// How matching time per event changes with the number of rules in one RuleSet: events per second
// (JSON parsing included) at 10, 100, 1,000 and 10,000 rules of mixed operators, on ~1 KB events
// shaped like EventBridge's. A quick check of the matcher's design, not the full
// bench/events (which compares npm peers); run `npm run build` first, then
// `node bench/events/pattern-scaling.mjs [--events N]`.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const entry = join(root, "dist", "events", "pattern", "index.js");
if (!existsSync(entry)) {
  console.error("bench/events/pattern-scaling.mjs runs the built library: run `npm run build` first");
  process.exit(1);
}
const { compilePattern, RuleSet } = await import(pathToFileURL(entry).href);
const { values: opts } = parseArgs({ options: { events: { type: "string", default: "20000" } } });
const eventCount = Number(opts.events);

/** Rule i: one of eight shapes, with values of its own (n), so rules do not collapse into one. */
function ruleText(i) {
  const n = Math.floor(i / 8);
  switch (i % 8) {
    case 0:
      return { source: [`app.service${n}`], "detail-type": ["Order Placed"] };
    case 1:
      return {
        source: [{ prefix: `app.service${n}.` }],
        detail: { state: [{ "anything-but": ["failed", "cancelled"] }] },
      };
    case 2:
      return { detail: { amount: [{ numeric: [">", n, "<=", n + 5] }], currency: ["EUR"] } };
    case 3:
      return { "detail-type": [{ "equals-ignore-case": `order event ${n}` }] };
    case 4:
      return { resources: [{ wildcard: `arn:aws:s3:::bucket-${n}/*` }] };
    case 5:
      return { detail: { sourceIp: [{ cidr: `10.${n % 256}.${n >> 8}.0/24` }] } };
    case 6:
      return {
        detail: { customer: { tier: [{ suffix: `-${n}` }] } },
        $or: [{ region: ["eu-west-1"] }, { account: ["123456789012"] }],
      };
    default:
      return { source: [`app.service${n}`], detail: { missing: [{ exists: false }] } };
  }
}

/** Event i names values that some rules of each shape use (when there are enough rules). */
function eventText(i) {
  const n = (i * 7) % 1250;
  return JSON.stringify({
    version: "0",
    id: `6a7e8feb-b491-4cf7-a9f1-bf3703467${String(i % 1000).padStart(3, "0")}`,
    "detail-type": i % 2 ? "Order Placed" : `Order Event ${n}`,
    source: i % 2 ? `app.service${n}` : `app.service${n}.orders`,
    account: "123456789012",
    time: "2026-12-03T12:00:00Z",
    region: "eu-west-1",
    resources: [`arn:aws:s3:::bucket-${n}/key/${i}`, "arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc"],
    detail: {
      state: i % 3 ? "placed" : "failed",
      amount: n + 10,
      currency: "EUR",
      sourceIp: `10.${n % 256}.${n >> 8}.4`,
      customer: { id: `c-${i}`, tier: `gold-${n}`, name: "Ada Lovelace", email: "ada@example.com" },
      items: [
        { sku: "SKU-1", qty: 2, price: 19.99 },
        { sku: "SKU-2", qty: 1, price: 5.5 },
      ],
      note: "x".repeat(300),
    },
  });
}

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
