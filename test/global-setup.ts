// Integration tests run the compiled `jeff` (bin/jeff.js → dist/), so build it once before any test runs.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  // For a quick re-run when dist/ is known to be current.
  if (process.env.JEFF_SKIP_BUILD === "1") return;
  const root = fileURLToPath(new URL("..", import.meta.url));
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], {
    cwd: root,
    stdio: "inherit",
  });
}
