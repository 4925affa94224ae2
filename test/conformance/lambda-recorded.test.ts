/**
 * Lambda against AWS's recorded answers: every recorded test in scope (lambda/scope.ts) is
 * replayed against a real Jeff by its case in lambda/cases/, and each answer is compared with what
 * AWS answered (snapshot-match.ts). Prints passed/total by file and class, what was excluded and
 * by which feature, and fails if fewer pass than ratchet.json records (a count that only rises).
 *
 * JEFF_REPLAY=<text> runs only the tests whose key contains it and prints every difference.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { type JeffProcess, startJeff } from "../integration/jeff-process.js";
import { corpusFor, skipOrFail } from "./corpus.js";
import type { ReplayCase } from "./lambda/case.js";
import { fileFixture, Replay } from "./lambda/replay.js";
import { excludedBy, type ReplayedFile, replayedFiles } from "./lambda/scope.js";
import { Bindings, differences, normalise } from "./snapshot-match.js";

const ratchet = JSON.parse(readFileSync(new URL("./ratchet.json", import.meta.url), "utf8")) as Record<
  string,
  number
>;
const only = process.env.JEFF_REPLAY;
const recordedAccount = "111111111111";
const caseDeadline = 120_000;

interface Recording {
  readonly file: ReplayedFile;
  /** The key after `<file>.py::`. */
  readonly test: string;
  readonly content: Record<string, unknown>;
}

function recordings(): Recording[] {
  const dir = join(corpusFor("recorded").file, "..", "lambda");
  return replayedFiles.flatMap((file) => {
    const snapshot = JSON.parse(readFileSync(join(dir, `${file}.snapshot.json`), "utf8")) as Record<
      string,
      { "recorded-content": Record<string, unknown> }
    >;
    return Object.entries(snapshot).map(([key, value]) => ({
      file,
      test: key.slice(key.indexOf(".py::") + 5),
      content: value["recorded-content"],
    }));
  });
}

async function cases(): Promise<Map<string, ReplayCase>> {
  const dir = fileURLToPath(new URL("./lambda/cases/", import.meta.url));
  const out = new Map<string, ReplayCase>();
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith(".ts"))
    .sort()) {
    const module = (await import(join(dir, name))) as { cases: readonly ReplayCase[] };
    for (const c of module.cases) {
      const key = `${c.file}::${c.test}`;
      if (out.has(key)) throw new Error(`${name}: ${key} has two cases`);
      out.set(key, c);
    }
  }
  return out;
}

let jeff: JeffProcess | undefined;

afterAll(async () => {
  await jeff?.stop();
});

it("answers as AWS answered its recorded tests", async (ctx) => {
  skipOrFail("recorded", (note) => ctx.skip(note));
  // LocalStack's tests shorten Lambda's retry delay (a minute, then two) to seconds where they
  // wait for a retry; so does this Jeff.
  jeff = await startJeff({ env: { JEFF_FUNCTION_RETRY_DELAY_MS: "2000" } });
  const all = recordings();
  const byKey = await cases();
  // Cases for tests whose recordings are not here are kept: Jeff is checked against those too.
  const unrecorded = [...byKey.keys()].filter((key) => !all.some((r) => `${r.file}::${r.test}` === key));
  const excluded = new Map<string, number>();
  const tally = new Map<string, { passed: number; total: number }>();
  const failures: string[] = [];
  let passed = 0;
  let total = 0;
  for (const recording of all) {
    const key = `${recording.file}::${recording.test}`;
    if (only !== undefined && !key.includes(only)) continue;
    const feature = excludedBy(recording.test);
    if (feature !== undefined) {
      excluded.set(feature, (excluded.get(feature) ?? 0) + 1);
      continue;
    }
    const category = `${recording.file} ${recording.test.split("::")[0]}`;
    const count = tally.get(category) ?? { passed: 0, total: 0 };
    tally.set(category, count);
    count.total++;
    total++;
    const replayCase = byKey.get(key);
    const problems = replayCase ? await replay(replayCase, recording) : ["no case replays it yet"];
    if (problems.length === 0) {
      count.passed++;
      passed++;
    } else {
      failures.push(`${key}\n    ${problems.slice(0, only === undefined ? 3 : 100).join("\n    ")}`);
    }
  }
  const replayedCount = [...byKey.keys()].filter((k) => only === undefined || k.includes(only)).length;
  const lines = [
    `Lambda, AWS's recorded answers: ${passed}/${total} in scope (${replayedCount} replayed by a case)`,
    ...[...tally].map(([category, c]) => `  ${category}: ${c.passed}/${c.total}`),
    `  cases whose recording is not here: ${unrecorded.length}`,
    `  excluded, by the feature not built: ${[...excluded].map(([f, n]) => `${f} ${n}`).join(", ")}`,
  ];
  const replayedFailures = failures.filter((f) => !f.includes("no case replays it yet"));
  console.log(`${lines.join("\n")}\n\nDiffering:\n${replayedFailures.join("\n")}`);
  if (only === undefined) expect(passed).toBeGreaterThanOrEqual(ratchet.lambdaRecorded ?? 0);
}, 3_600_000);

/** Runs one case and compares every answer it recorded with AWS's; the differences, if any. */
async function replay(replayCase: ReplayCase, recording: Recording): Promise<string[]> {
  const r = new Replay(jeff!);
  fileFixture(recording.file, r);
  try {
    await Promise.race([
      replayCase.run(r),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error("the case did not finish")), caseDeadline),
      ),
    ]);
  } catch (error) {
    await r.cleanUp();
    return [`the case failed: ${(error as Error).stack?.split("\n").slice(0, 3).join(" ") ?? error}`];
  }
  await r.cleanUp();
  const accounts = new Map([[jeff!.accountId, recordedAccount]]);
  const bindings = new Bindings();
  const problems: string[] = [];
  for (const [label, recorded] of Object.entries(recording.content)) {
    if (!r.matched.has(label)) {
      problems.push(`${label}: not replayed`);
      continue;
    }
    const actual = normalise(r.matched.get(label), accounts, r.replacements, label);
    problems.push(...differences(recorded, actual, bindings, label));
  }
  for (const label of r.matched.keys()) {
    if (!(label in recording.content)) problems.push(`${label}: AWS recorded no such answer`);
  }
  return problems;
}
