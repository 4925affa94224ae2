// test_events_patterns.py, TestEventPattern: TestEventPattern calls, with the texts the tests sent
// as eventbridge/cases.json keeps them (the templates' JSON5 files and payloads are LocalStack's).
import { type ReplayCase, replayed } from "../case.js";
import { type PatternCase, patternCases } from "../pattern-corpus.js";
import type { Replay } from "../replay.js";

const byTest = new Map<string, PatternCase[]>();
for (const c of patternCases()) {
  const test = c.evidence.testId.slice(c.evidence.testId.indexOf(".py::") + 5);
  byTest.set(test, [...(byTest.get(test) ?? []), c]);
}

const test = (c: PatternCase) => ({ Event: c.eventText, EventPattern: c.patternText });

/**
 * `test_event_pattern[label]`: a refusal (`_EXC`) is recorded with botocore's exception class and
 * the message's first line apart from the whole (`MessageRaw`); otherwise the test asserts the
 * result (`_NEG`: no match).
 */
async function templated(r: Replay, label: string, c: PatternCase): Promise<void> {
  if (label.endsWith("_EXC")) {
    const error = await r.refuse("test_event_pattern", test(c));
    const { Code, Message } = error.Error as { Code: string; Message: string };
    r.match(label, {
      exception_type: `<class 'botocore.errorfactory.${Code}'>`,
      exception_message: {
        ...error,
        Error: { Code, Message: Message.split("\n")[0], MessageRaw: Message },
      },
    });
    return;
  }
  const answer = await r.send("test_event_pattern", test(c));
  if (answer.Result !== !label.endsWith("_NEG")) {
    throw new Error(`${label}: TestEventPattern answered ${String(answer.Result)}`);
  }
}

/** Each recorded test's calls, in order, under the labels it gave them. */
const labels: Record<string, (r: Replay, cases: PatternCase[]) => Promise<void>> = {
  "TestEventPattern::test_event_pattern_source": async (r, [match, noMatch]) => {
    r.match("eventbridge-test-event-pattern-response", await r.send("test_event_pattern", test(match!)));
    r.match(
      "eventbridge-test-event-pattern-response-no-match",
      await r.send("test_event_pattern", test(noMatch!)),
    );
  },
  "TestEventPattern::test_event_with_large_and_complex_payload": async (r, [simple, complex]) => {
    r.match("complex-event-simple-pattern", await r.send("test_event_pattern", test(simple!)));
    r.match("complex-event-complex-pattern", await r.send("test_event_pattern", test(complex!)));
  },
  "TestEventPattern::test_plain_string_payload": async (r, [c]) => {
    r.match("plain-string-payload-exc", await r.refuse("test_event_pattern", test(c!)));
  },
  "TestEventPattern::test_invalid_event_payload": async (r, [c]) => {
    r.match("plain-string-payload-exc", await r.refuse("test_event_pattern", test(c!)));
  },
  "TestEventPattern::test_array_event_payload": async (r, [c]) => {
    r.match("array-event-payload-exc", await r.refuse("test_event_pattern", test(c!)));
  },
  "TestEventPattern::test_event_pattern_with_multi_key": async (r, [c]) => {
    if ((await r.send("test_event_pattern", test(c!))).Result !== true) throw new Error("no match");
  },
  "TestEventPattern::test_event_pattern_with_escape_characters": async (r, [c]) => {
    if ((await r.send("test_event_pattern", test(c!))).Result !== true) throw new Error("no match");
  },
};

export const cases: ReplayCase[] = [...byTest].map(([name, group]) => {
  const param = /^TestEventPattern::test_event_pattern\[(.*)\]$/.exec(name)?.[1];
  if (param !== undefined)
    return replayed("test_events_patterns", name, (r) => templated(r, param, group[0]!));
  if (name.startsWith("TestEventPattern::test_invalid_json_event_pattern[")) {
    return replayed("test_events_patterns", name, async (r) => {
      r.match("invalid-pattern", await r.refuse("test_event_pattern", test(group[0]!)));
    });
  }
  const run = labels[name];
  if (!run) throw new Error(`no calls known for ${name}`);
  return replayed("test_events_patterns", name, (r) => run(r, group));
});
