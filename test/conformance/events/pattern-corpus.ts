// AWS's recorded TestEventPattern cases (eventbridge/cases.json), with the exact texts LocalStack's
// tests sent: both the TestEventPattern runner and the replay of test_events_patterns read them.
import { existsSync, readFileSync } from "node:fs";
import { corpusFor } from "../corpus.js";

export interface PatternCase {
  readonly name: string;
  readonly patternText: string;
  readonly eventText: string;
  readonly expected: boolean | "error";
  readonly errorKind?: "pattern" | "event";
  readonly evidence: {
    readonly testId: string;
    readonly errorCode?: string;
    readonly errorMessage?: string;
  };
}

/** Every case of the corpus; none when it is not here (the runners say so and skip). */
export function patternCases(): PatternCase[] {
  const { file } = corpusFor("eventPatterns");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as PatternCase[]) : [];
}
