// The rules and events bench/events measures matching with, shared by its index.mjs and by the
// quick pattern-scaling.mjs check, so both measure the same workload. Everything is deterministic:
// the same arguments give the same text on every run.

/** Rule i: one of eight shapes, with values of its own (n), so rules do not collapse into one. */
export function ruleText(i) {
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

/** The names of ruleText's shapes, by i % 8. */
export const ruleShapes = [
  "exact source + detail-type",
  "prefix + anything-but",
  "numeric range + exact",
  "equals-ignore-case",
  "wildcard on resources",
  "cidr",
  "suffix + $or",
  "exact + exists:false",
];

/**
 * Rules for the large nested records: three in four are ruleText's shapes, the fourth reaches into
 * the records' nested arrays of objects (an exact SKU with a numeric quantity in the same line, or
 * a suffix on a bin two arrays down).
 */
export function nestedRuleText(i) {
  if (i % 4 !== 3) return ruleText(i);
  const n = Math.floor(i / 8);
  if (i % 8 === 3) return { detail: { lines: { sku: [`SKU-${n}`], qty: [{ numeric: [">", n % 7] }] } } };
  return {
    source: [{ prefix: "app." }],
    detail: { lines: { warehouse: { bins: { bin: [{ suffix: `-${n}` }] } } } },
  };
}

/**
 * Event i (~850 bytes) as an object in EventBridge's envelope; it names values that some rules of
 * each shape use (when there are enough rules).
 */
export function eventObject(i) {
  const n = (i * 7) % 1250;
  return {
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
  };
}

export const eventText = (i) => JSON.stringify(eventObject(i));

/** A small deterministic PRNG (mulberry32): the same seed, the same records. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const colours = ["red", "green", "blue", "black", "white", "teal", "amber"];
const statuses = ["created", "picked", "packed", "shipped", "delivered", "returned"];

/**
 * Record i: an EventBridge event (eventObject(i)'s envelope and fields) whose detail also carries
 * an order of 45–110 lines, each a nested object with arrays of objects (bins, history, tags):
 * 20–50 KB of JSON.
 */
export function largeRecordObject(i) {
  const rnd = random(i + 1);
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const event = eventObject(i);
  const lineCount = 45 + Math.floor(rnd() * 66);
  const lines = [];
  for (let l = 0; l < lineCount; l++) {
    const k = Math.floor(rnd() * 1250);
    lines.push({
      line: l + 1,
      sku: `SKU-${k}`,
      title: `Item ${k} ${pick(colours)} edition`,
      qty: 1 + Math.floor(rnd() * 12),
      price: Math.round(rnd() * 50_000) / 100,
      attributes: { colour: pick(colours), size: pick(["S", "M", "L", "XL"]), fragile: rnd() < 0.2 },
      warehouse: {
        id: `wh-${Math.floor(rnd() * 40)}`,
        region: pick(["eu-west-1", "eu-central-1", "us-east-1"]),
        bins: Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({
          bin: `A${Math.floor(rnd() * 90)}-${Math.floor(rnd() * 1250)}`,
          qty: Math.floor(rnd() * 100),
        })),
      },
      history: Array.from({ length: 1 + Math.floor(rnd() * 3) }, (_, h) => ({
        at: `2026-12-0${1 + h}T0${h}:1${h}:00Z`,
        status: pick(statuses),
        by: `user-${Math.floor(rnd() * 500)}`,
      })),
      tags: Array.from({ length: Math.floor(rnd() * 4) }, () => pick(colours)),
    });
  }
  event.detail = {
    ...event.detail,
    order: { id: `o-${i}`, placedAt: "2026-12-03T11:59:00Z", channel: pick(["web", "app", "store"]) },
    lines,
    totals: {
      lines: lineCount,
      net: Math.round(lines.reduce((s, x) => s + x.qty * x.price, 0) * 100) / 100,
      currency: "EUR",
    },
  };
  return event;
}

/**
 * The same event as a PutEvents entry (`Source`, `DetailType`, `Detail` as text, `Resources`):
 * what the npm plugins receive, since they match the request's entries, not an envelope.
 */
export function putEventsEntry(event) {
  return {
    Source: event.source,
    DetailType: event["detail-type"],
    Detail: JSON.stringify(event.detail),
    Resources: event.resources,
  };
}
