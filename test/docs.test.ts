// Documentation moves with the code: every error code raised in src/ is on docs/errors.md, and
// every subsystem folder has its page under docs/.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") && !path.endsWith(".test.ts") ? [path] : [];
  });
}

it("lists every AWS error code the code can raise in docs/errors.md", () => {
  const codes = new Set<string>();
  for (const file of sourceFiles(join(root, "src"))) {
    const text = readFileSync(file, "utf8");
    for (const call of text.matchAll(/new AwsError\(\s*([^,]+),/g)) {
      for (const literal of call[1]!.matchAll(/"([A-Za-z]+)"/g)) codes.add(literal[1]!);
    }
  }
  expect(codes.size).toBeGreaterThan(10);
  const documented = readFileSync(join(root, "docs/errors.md"), "utf8");
  const missing = [...codes].filter((code) => !documented.includes(`\`${code}\``));
  expect(missing).toEqual([]);
});

it("has a page under docs/ for every subsystem under src/", () => {
  const subsystems = readdirSync(join(root, "src")).filter((name) =>
    statSync(join(root, "src", name)).isDirectory(),
  );
  const pages = new Set(readdirSync(join(root, "docs")).map((name) => name.replace(/\.md$/, "")));
  expect(subsystems.filter((name) => !pages.has(name))).toEqual([]);
  const architecture = readFileSync(join(root, "ARCHITECTURE.md"), "utf8");
  expect(subsystems.filter((name) => !architecture.includes(`src/${name}/`))).toEqual([]);
});
