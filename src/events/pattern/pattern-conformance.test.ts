/**
 * Runs AWS's recorded answers to TestEventPattern (../shared/conformance/eventbridge/cases.json:
 * matches, non-matches, refused patterns, refused events) through the library twice: alone, as
 * TestEventPattern will, and with every valid pattern of the corpus in one RuleSet, as delivery
 * will. A refusal passes only with AWS's error code and message. The data stays outside the repo
 * (test/conformance/corpus.ts); the pass count may only go up (test/conformance/ratchet.json).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { corpusFor, skipOrFail } from "../../../test/conformance/corpus.js";
import { AwsError } from "../../protocol/index.js";
import { type CompiledPattern, compilePattern, parseTestEvent, RuleSet, testEventPattern } from "./index.js";

const casesFile = corpusFor("eventPatterns").file;
const ratchetFile = fileURLToPath(new URL("../../../test/conformance/ratchet.json", import.meta.url));

interface PatternCase {
  name: string;
  patternText: string;
  eventText: string;
  expected: boolean | "error";
  errorKind?: "pattern" | "event";
  evidence: { errorCode?: string; errorMessage?: string };
}

const categoryOf = (c: PatternCase): string =>
  c.expected === true ? "match" : c.expected === false ? "no match" : `refused ${c.errorKind}`;

/** Our answer: true / false, or the error's code and message. */
function answer(c: PatternCase): boolean | { code: string; message: string } {
  try {
    return testEventPattern(c.patternText, c.eventText);
  } catch (error) {
    if (error instanceof AwsError) return { code: error.code, message: error.message };
    throw error;
  }
}

/**
 * AWS's message, as the case keeps it: most cases keep only its first line, without the parser
 * position AWS appends (the replay of test_events_patterns compares the whole, `MessageRaw`).
 */
function sameMessage(ours: string, evidence: string | undefined): boolean {
  return evidence?.includes("\n") ? ours === evidence : ours.split("\n")[0] === evidence;
}

describe("EventBridge pattern conformance (TestEventPattern as recorded from AWS)", () => {
  it("answers every case as AWS did, alone and with all the corpus's rules in one set", (context) => {
    skipOrFail("eventPatterns", (note) => context.skip(note));
    const cases = JSON.parse(readFileSync(casesFile, "utf8")) as PatternCase[];
    const ratchet = JSON.parse(readFileSync(ratchetFile, "utf8")) as { eventPatterns: number };

    // Every valid pattern of the corpus, in one set, each under its case's index.
    const all = new RuleSet<number>();
    for (const [i, c] of cases.entries()) {
      let pattern: CompiledPattern | undefined;
      try {
        pattern = compilePattern(c.patternText);
      } catch {
        continue;
      }
      all.set(i, pattern);
    }

    const tallies = new Map<string, { passed: number; total: number }>();
    const failures: string[] = [];
    let passed = 0;
    for (const [i, c] of cases.entries()) {
      const ours = answer(c);
      let ok: boolean;
      let why = "";
      if (c.expected === "error") {
        ok =
          typeof ours === "object" &&
          ours.code === c.evidence.errorCode &&
          sameMessage(ours.message, c.evidence.errorMessage);
        why = `expected ${c.evidence.errorCode}: ${JSON.stringify(c.evidence.errorMessage)}, got ${JSON.stringify(ours)}`;
      } else {
        const inSet = all.matches(parseTestEvent(c.eventText)).includes(i);
        ok = ours === c.expected && inSet === c.expected;
        why = `expected ${c.expected}, alone ${JSON.stringify(ours)}, in the set of ${all.size} ${inSet}`;
      }
      const key = categoryOf(c);
      const t = tallies.get(key) ?? { passed: 0, total: 0 };
      t.total++;
      if (ok) t.passed++;
      tallies.set(key, t);
      if (ok) passed++;
      else failures.push(`${c.name}: ${why}`);
    }

    const lines = [`EventBridge pattern conformance: ${passed}/${cases.length} cases`];
    for (const [k, t] of tallies) lines.push(`  ${k}: ${t.passed}/${t.total}`);
    if (failures.length > 0) lines.push("Failures:", ...failures.map((f) => `  ${f}`));
    if (passed > ratchet.eventPatterns)
      lines.push(`Above the ratchet: raise ${ratchetFile} to eventPatterns=${passed}`);
    console.log(lines.join("\n"));
    expect(passed, "pattern cases passing fell below the ratchet").toBeGreaterThanOrEqual(
      ratchet.eventPatterns,
    );
  });
});
