// Where the conformance corpora live, and what a run without them does. The corpora are data
// recorded from AWS, kept outside the repository (../shared/conformance beside the checkout, or
// $JEFF_CONFORMANCE_DIR). A fresh clone has none: its runners skip and say so. CI sets
// JEFF_REQUIRE_CONFORMANCE=1 (see .ci/run), which makes a missing corpus fail the run instead,
// so the ratchet in ratchet.json can never pass by not running.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

export const conformanceDirEnvVar = "JEFF_CONFORMANCE_DIR";
export const requireConformanceEnvVar = "JEFF_REQUIRE_CONFORMANCE";

/** The corpora's folder: `$JEFF_CONFORMANCE_DIR`, else `../shared/conformance` beside the repo. */
export const conformanceDir =
  process.env[conformanceDirEnvVar] || join(repoRoot, "..", "shared", "conformance");

/** Whether a missing corpus fails the run (CI) rather than skipping its suite (a fresh clone). */
export const conformanceRequired = process.env[requireConformanceEnvVar] === "1";

/** Each conformance suite, by the file its runner reads inside the corpora's folder. */
export const conformanceSuites = {
  sigv4: "sigv4/cases.json",
  recorded: "recorded/README.md",
  eventPatterns: "eventbridge/cases.json",
} as const;

export type ConformanceSuite = keyof typeof conformanceSuites;

export interface Corpus {
  readonly file: string;
  /** Why the suite cannot run here, if it cannot. */
  readonly missing: string | undefined;
}

export function corpusFor(suite: ConformanceSuite): Corpus {
  const file = join(conformanceDir, conformanceSuites[suite]);
  return {
    file,
    missing: existsSync(file)
      ? undefined
      : `${suite} conformance skipped: ${file} does not exist (set ${conformanceDirEnvVar} to the corpora's folder; ${requireConformanceEnvVar}=1 makes this a failure)`,
  };
}

/**
 * For a runner whose corpus is missing: fails under JEFF_REQUIRE_CONFORMANCE=1, else skips with
 * the reason (shown by the reporter, and on stderr).
 */
export function skipOrFail(suite: ConformanceSuite, skip: (note: string) => void): void {
  const { file, missing } = corpusFor(suite);
  if (missing === undefined) return;
  if (conformanceRequired) {
    throw new Error(
      `the ${suite} conformance corpus is missing: ${file} does not exist, and ${requireConformanceEnvVar}=1 requires it (set ${conformanceDirEnvVar} to the corpora's folder)`,
    );
  }
  console.warn(missing);
  skip(missing);
}

/** The suites a run here skips, each with its reason. */
export function skippedSuites(): string[] {
  return (Object.keys(conformanceSuites) as ConformanceSuite[]).flatMap((suite) => {
    const { missing } = corpusFor(suite);
    return missing === undefined ? [] : [missing];
  });
}
