// The matchers bench/events compares, each driven as its program drives it on every event, behind
// one shape: `prepare(rules)` returns `match(text) → ids of the matching rules`, JSON parsing
// included.
//
//   Jeff          a RuleSet of every rule (dist/events/pattern), given the event's text, as
//                 PutEvents' routing gives it each event.
//   coorp         @coorpacademy/serverless-offline-eventbridge: its PutEvents server parses the
//                 request, builds each entry's event (`buildEventBridgeEvent`, which parses
//                 `Detail`) and keeps the subscriptions for which `matchesPattern(pattern, event)`
//                 holds: every rule tried on every event (src/eventbridge.js, `_dispatchEntry`).
//   aws-eventbridge  serverless-offline-aws-eventbridge: `invokeSubscribers` keeps the subscribers
//                 for which `verifyIsSubscribed(subscriber, entry)` holds, on the request's entry
//                 itself (Source, DetailType, Detail as text): it parses `Detail` again for each
//                 rule with a `detail` pattern and reads each field with a JSONPath query. It looks
//                 at `source`, `detail-type` and `detail` only (a pattern on `resources`, `region`
//                 or `account` is not checked), and throws on an operator it lacks (`wildcard`,
//                 `cidr`, …). A throw ends the plugin's whole dispatch of that event; here it is
//                 caught per rule and counted as no match, so that speed is measured on the same
//                 rules.
//   JSON.parse    the parse alone, of the same text Jeff is given: the baseline.
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { putEventsEntry } from "./workload.mjs";

const require = createRequire(import.meta.url);

/** The engines over the built Jeff at `root`; `throws` counts aws-eventbridge's caught throws. */
export async function loadEngines(root) {
  const { compilePattern, RuleSet } = await import(
    pathToFileURL(join(root, "dist", "events", "pattern", "index.js")).href
  );
  const {
    matchesPattern,
    entryToEvent,
  } = require("@coorpacademy/serverless-offline-eventbridge/src/eventbridge.js");
  const AwsEventBridgePlugin = require("serverless-offline-aws-eventbridge");
  const region = "eu-west-1";
  const counters = { throws: 0 };

  return {
    counters,
    engines: [
      {
        name: "Jeff",
        input: "event",
        prepare(rules) {
          const set = new RuleSet();
          rules.forEach((rule, id) => {
            set.set(id, compilePattern(JSON.stringify(rule), { sizeLimit: 4096 }));
          });
          return (text) => set.matches(text);
        },
      },
      {
        name: "coorp",
        input: "entry",
        prepare(rules) {
          const subscriptions = rules.map((eventPattern, id) => ({ id, eventPattern }));
          return (text) => {
            const event = entryToEvent(JSON.parse(text), region);
            const ids = [];
            for (const s of subscriptions) if (matchesPattern(s.eventPattern, event)) ids.push(s.id);
            return ids;
          };
        },
      },
      {
        name: "aws-eventbridge",
        input: "entry",
        prepare(rules) {
          const plugin = new AwsEventBridgePlugin({ service: {} }, {}, { log: { notice() {} } });
          const subscribers = rules.map((pattern, id) => ({
            functionKey: `fn${id}`,
            id,
            event: { pattern },
          }));
          return (text) => {
            const entry = JSON.parse(text);
            const ids = [];
            for (const s of subscribers) {
              try {
                if (plugin.verifyIsSubscribed(s, entry)) ids.push(s.id);
              } catch {
                counters.throws++;
              }
            }
            return ids;
          };
        },
      },
      {
        name: "JSON.parse",
        input: "event",
        baseline: true,
        prepare() {
          return (text) => {
            JSON.parse(text);
            return [];
          };
        },
      },
    ],
  };
}

/** Each event's text in the two forms: the envelope (Jeff, JSON.parse) and a PutEvents entry. */
export function inputsOf(events) {
  return {
    event: events.map((e) => JSON.stringify(e)),
    entry: events.map((e) => JSON.stringify(putEventsEntry(e))),
  };
}
