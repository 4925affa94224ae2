// Integration tests run the compiled `jeff` (bin/jeff.js → dist/), so build it once before any test
// runs. At the end, name the conformance suites this run skipped for want of their corpus, so a
// green run on a fresh clone says what it did not check.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { conformanceRequired, skippedSuites } from "./conformance/corpus.js";
import { createRunDatabase, postgresRequired, requirePostgresEnvVar } from "./postgres-run.js";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // For a quick re-run when dist/ is known to be current; each project's setup builds it only once.
  if (process.env.JEFF_SKIP_BUILD !== "1") {
    process.env.JEFF_SKIP_BUILD = "1";
    const root = fileURLToPath(new URL("..", import.meta.url));
    execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
      cwd: root,
      stdio: "inherit",
    });
  }
  // A database for the postgres project's tests, dropped at the end.
  const database =
    project.name === "postgres" ? await createRunDatabase() : { missing: "this project runs on SQLite" };
  if (project.name === "postgres" && "missing" in database && postgresRequired) {
    throw new Error(`${requirePostgresEnvVar}=1, but there is ${database.missing}`);
  }
  project.provide("postgres", "url" in database ? { url: database.url } : database);
  return async () => {
    if ("drop" in database) await database.drop();
    const skipped = [
      ...(conformanceRequired || project.name === "postgres" ? [] : skippedSuites()),
      ...(project.name === "postgres" && "missing" in database
        ? [`the PostgreSQL runs were skipped: ${database.missing}; set $JEFF_TEST_POSTGRES to a server's URL`]
        : []),
    ];
    if (skipped.length === 0) return;
    process.stderr.write(`\n${skipped.map((line) => `⚠ ${line}`).join("\n")}\n`);
  };
}
