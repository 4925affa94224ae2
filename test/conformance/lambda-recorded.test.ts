/**
 * Lambda against AWS's recorded answers: every recorded test in scope (lambda/scope.ts) is
 * replayed against a real Jeff by its case in lambda/cases/ (recorded-runner.ts). Fails if fewer
 * pass than ratchet.json records (a count that only rises).
 *
 * JEFF_REPLAY=<text> runs only the tests whose key contains it and prints every difference.
 */
import { afterAll, expect, it } from "vitest";
import { type JeffProcess, startJeff } from "../integration/jeff-process.js";
import { skipOrFail } from "./corpus.js";
import { fileFixture, Replay } from "./lambda/replay.js";
import { excludedBy, replayedFiles, superseded } from "./lambda/scope.js";
import { only, ratchet, recordedAccount, replayRecorded } from "./recorded-runner.js";

let jeff: JeffProcess | undefined;

afterAll(async () => {
  await jeff?.stop();
});

it("answers as AWS answered its recorded tests", async (ctx) => {
  skipOrFail("recorded", (note) => ctx.skip(note));
  // LocalStack's tests shorten Lambda's retry delay (a minute, then two) to seconds where they
  // wait for a retry; so does this Jeff.
  const started = await startJeff({ env: { JEFF_FUNCTION_RETRY_DELAY_MS: "2000" } });
  jeff = started;
  const passed = await replayRecorded({
    service: "lambda",
    title: "Lambda",
    files: replayedFiles,
    excludedBy: (_file, test) => excludedBy(test),
    casesDir: new URL("./lambda/cases/", import.meta.url),
    replayFor: (recording) => {
      const r = new Replay(started);
      fileFixture(recording.file, r);
      return r;
    },
    accounts: new Map([[started.accountId, recordedAccount]]),
    superseded,
  });
  if (only === undefined) expect(passed).toBeGreaterThanOrEqual(ratchet("lambdaRecorded"));
}, 3_600_000);
