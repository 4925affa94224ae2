/**
 * EventBridge against AWS's recorded answers: every recorded test in scope (events/scope.ts) is
 * replayed against a real Jeff by its case in events/cases/ (recorded-runner.ts); fails if fewer
 * pass than ratchet.json's `eventsRecorded` (a count that only rises). Then every case of
 * eventbridge/cases.json goes through TestEventPattern on that Jeff with the SDK, as AWS answered
 * it (ratchet `eventPatternsServed`).
 *
 * JEFF_REPLAY=<text> runs only the tests whose key contains it and prints every difference.
 */
import { TestEventPatternCommand } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type JeffProcess, startJeff } from "../integration/jeff-process.js";
import { startCollector } from "../integration/lambda-helpers.js";
import { corpusFor, skipOrFail } from "./corpus.js";
import { patternCases } from "./events/pattern-corpus.js";
import { Replay, type WindowReport } from "./events/replay.js";
import { excludedBy, replayedFiles } from "./events/scope.js";
import { only, ratchet, recordedAccount, replayRecorded } from "./recorded-runner.js";

let jeff: JeffProcess | undefined;
let collector: Awaited<ReturnType<typeof startCollector<WindowReport>>> | undefined;

beforeAll(async () => {
  if (corpusFor("recorded").missing && corpusFor("eventPatterns").missing) return;
  collector = await startCollector<WindowReport>();
  jeff = await startJeff({ env: collector.jeffEnv });
});

afterAll(async () => {
  await jeff?.stop();
  await collector?.close();
});

it("answers as AWS answered its recorded tests", async (ctx) => {
  skipOrFail("recorded", (note) => ctx.skip(note));
  const started = jeff!;
  const passed = await replayRecorded({
    service: "events",
    title: "EventBridge",
    files: replayedFiles,
    excludedBy,
    casesDir: new URL("./events/cases/", import.meta.url),
    replayFor: () => new Replay(started, collector!),
    accounts: new Map([[started.accountId, recordedAccount]]),
  });
  if (only === undefined) expect(passed).toBeGreaterThanOrEqual(ratchet("eventsRecorded"));
}, 3_600_000);

it("answers every recorded TestEventPattern case as AWS did, over the API", async (ctx) => {
  skipOrFail("eventPatterns", (note) => ctx.skip(note));
  const r = new Replay(jeff!, collector!);
  const cases = patternCases();
  const failures: string[] = [];
  for (const c of cases) {
    const answer = await r.answer(
      r.events.send(new TestEventPatternCommand({ EventPattern: c.patternText, Event: c.eventText })),
    );
    const error = answer.Error as { Code: string; Message: string } | undefined;
    const ok =
      c.expected === "error"
        ? error?.Code === c.evidence.errorCode &&
          // Most cases keep only the message's first line, without the parser position AWS appends.
          (c.evidence.errorMessage?.includes("\n")
            ? error?.Message === c.evidence.errorMessage
            : error?.Message.split("\n")[0] === c.evidence.errorMessage)
        : error === undefined && answer.Result === c.expected;
    if (!ok)
      failures.push(
        `${c.name}: AWS ${JSON.stringify(c.expected === "error" ? c.evidence : c.expected)}, Jeff ${JSON.stringify(answer)}`,
      );
  }
  const passed = cases.length - failures.length;
  console.log(`TestEventPattern over the API: ${passed}/${cases.length}\n${failures.join("\n")}`);
  expect(passed).toBeGreaterThanOrEqual(ratchet("eventPatternsServed"));
});
