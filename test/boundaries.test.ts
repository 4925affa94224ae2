// The layout is the architecture: a subsystem is entered only through its index.ts, so its
// internals can change without breaking anyone. The one exception is server/, the composition
// root, whose modules the CLI loads one at a time to keep `jeff --help` fast.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const src = fileURLToPath(new URL("../src", import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

it("crosses subsystem folders only through index.ts", () => {
  const violations: string[] = [];
  for (const file of files(src)) {
    const own = relative(src, file).split("/")[0];
    for (const match of readFileSync(file, "utf8").matchAll(/from "((?:\.\.\/)+)([a-z]+)\/([a-z-]+)\.js"/g)) {
      const [, , folder, module] = match;
      if (folder === own || folder === "server" || module === "index") continue;
      violations.push(`${relative(src, file)} imports ${folder}/${module}.js`);
    }
  }
  expect(violations).toEqual([]);
});

it("keeps the pure template language free of I/O modules", () => {
  const io =
    /from "node:(fs|fs\/promises|net|http|https|child_process|crypto|os)"|from "\.\.\/(store|server|protocol|stacks)\//;
  const offenders = files(join(src, "templates")).filter(
    (file) => !file.endsWith(".test.ts") && io.test(readFileSync(file, "utf8")),
  );
  expect(offenders.map((f) => relative(src, f))).toEqual([]);
});
