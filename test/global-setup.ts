// Integration tests run the compiled `jeff` (bin/jeff.js → dist/), so build it once before any test
// runs. At the end, name the conformance suites this run skipped for want of their corpus, so a
// green run on a fresh clone says what it did not check.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { conformanceRequired, skippedSuites } from "./conformance/corpus.js";

export default function setup(): () => void {
  // For a quick re-run when dist/ is known to be current.
  if (process.env.JEFF_SKIP_BUILD !== "1") {
    const root = fileURLToPath(new URL("..", import.meta.url));
    execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
      cwd: root,
      stdio: "inherit",
    });
  }
  return () => {
    const skipped = skippedSuites();
    if (skipped.length === 0 || conformanceRequired) return;
    process.stderr.write(`\n${skipped.map((line) => `⚠ ${line}`).join("\n")}\n`);
  };
}
