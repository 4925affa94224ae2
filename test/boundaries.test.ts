// The layout is the architecture: a subsystem is entered only through its index.ts, so its
// internals can change without breaking anyone. The one exception is server/, the composition
// root, whose modules the CLI loads one at a time to keep `jeff --help` fast.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = fileURLToPath(new URL("../src", import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** Every module a file names: `from "…"` (imports and re-exports), `import "…"` and `import("…")`. */
function specifiersIn(text: string): string[] {
  return [...text.matchAll(/\b(?:from|import)\s*\(?\s*["']([^"'\n]+)["']/g)].map((match) => match[1] ?? "");
}

/** The source file a relative specifier names; undefined for packages and `node:` modules. */
function targetOf(importer: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  return resolve(dirname(importer), specifier).replace(/\.js$/, ".ts");
}

const isInside = (folder: string, path: string): boolean => {
  const rel = relative(folder, path);
  return !rel.startsWith("..") && !isAbsolute(rel);
};

/**
 * A folder entered only through its index.ts: every top-level folder but server/, and a nested
 * folder once it has an index.ts (functions/records/, functions/execution/sandbox/, …). A nested
 * folder without one (functions/execution/runtimes/, cli/commands/, whose commands program.ts
 * loads one at a time) is part of the folder around it.
 */
function isDoor(folder: string): boolean {
  const rel = relative(src, folder);
  if (!rel.includes(sep)) return rel !== "server";
  return existsSync(join(folder, "index.ts"));
}

/** Why `importer` may not import `specifier`, or undefined when the import keeps to the boundaries. */
function crossing(importer: string, specifier: string): string | undefined {
  const target = targetOf(importer, specifier);
  // Packages, and test fixtures outside src/, belong to no subsystem.
  if (target === undefined || !isInside(src, target)) return undefined;
  // Walking down from src/ to the target, the first door the importer is not already inside must
  // be entered through its index.ts, and nothing deeper.
  let folder = src;
  for (const part of relative(src, dirname(target)).split(sep)) {
    folder = join(folder, part);
    if (isInside(folder, importer) || !isDoor(folder)) continue;
    if (target === join(folder, "index.ts")) return undefined;
    return `enters ${relative(src, folder)}/ other than through its index.ts`;
  }
  return undefined;
}

describe("the boundary check itself", () => {
  it.each([
    ["import { a } from './x.js';", ["./x.js"]],
    ['export { b } from "../sandbox/index.js";', ["../sandbox/index.js"]],
    ['import "../ops/index.js";', ["../ops/index.js"]],
    ['const m = await import("./commands/init.js");', ["./commands/init.js"]],
    ['import {\n  c,\n  d,\n} from "../protocol/sigv4-verify.js";', ["../protocol/sigv4-verify.js"]],
  ])("finds the module named in %j", (text, expected) => {
    expect(specifiersIn(text)).toEqual(expected);
  });

  it.each([
    ["protocol/http-edge.ts", "../functions/execution/sandbox/isolation.js", "functions/"],
    ["protocol/http-edge.ts", "../functions/execution/sandbox/index.js", "functions/"],
    ["cli/project.ts", "../functions/execution/runtimes/node/node-runtime-client.js", "functions/"],
    ["cli/project.ts", "../protocol/sigv4-verify.js", "protocol/"],
    ["functions/execution/environment-pool.ts", "./sandbox/isolation.js", "functions/execution/sandbox/"],
    [
      "functions/execution/runtimes/node/client.ts",
      "../../sandbox/cgroups.js",
      "functions/execution/sandbox/",
    ],
    ["functions/execution/sandbox/isolation.ts", "../../../identity/access-keys.js", "identity/"],
    ["functions/subsystem.ts", "./execution/sandbox/index.js", "functions/execution/"],
    ["functions/code/code-sweep.test.ts", "../records/function-records.js", "functions/records/"],
  ])("refuses %s importing %s (it enters %s)", (importer, specifier, door) => {
    expect(crossing(join(src, importer), specifier)).toBe(`enters ${door} other than through its index.ts`);
  });

  it.each([
    ["functions/execution/environment-pool.ts", "./sandbox/index.js"],
    ["functions/execution/sandbox/isolation.ts", "./cgroups.js"],
    ["functions/execution/sandbox/isolation.ts", "../runtimes/runtime-launch.js"],
    ["functions/execution/runtimes/runtime-launch.ts", "./python/python-launch.js"],
    ["functions/execution/runtimes/node/client.ts", "../../sandbox/index.js"],
    ["functions/code/code-sweep.test.ts", "../records/index.js"],
    ["functions/records/function-records.ts", "../lambda-errors.js"],
    ["cli/program.ts", "./commands/init.js"],
    ["cli/commands/serve.ts", "../../server/server.js"],
    ["functions/code/function-code.test.ts", "../../../test/fixtures/zip-builder.js"],
    ["stacks/stack-engine.ts", "../store/index.js"],
  ])("allows %s importing %s", (importer, specifier) => {
    expect(crossing(join(src, importer), specifier)).toBeUndefined();
  });
});

it("crosses subsystem folders, and nested folders with an index.ts, only through that index.ts", () => {
  const violations = files(src).flatMap((file) =>
    specifiersIn(readFileSync(file, "utf8")).flatMap((specifier) => {
      const why = crossing(file, specifier);
      return why === undefined ? [] : [`${relative(src, file)} imports ${specifier}: it ${why}`];
    }),
  );
  expect(violations).toEqual([]);
});

it("keeps the pure template language free of I/O modules", () => {
  const io = /^node:(fs|fs\/promises|net|http|https|child_process|crypto|os)$/;
  const ioFolders = ["store", "server", "protocol", "stacks"].map((name) => join(src, name));
  const reachesIo = (file: string, specifier: string): boolean => {
    const target = targetOf(file, specifier);
    return (
      io.test(specifier) || (target !== undefined && ioFolders.some((folder) => isInside(folder, target)))
    );
  };
  const offenders = files(join(src, "templates")).filter(
    (file) =>
      !file.endsWith(".test.ts") &&
      specifiersIn(readFileSync(file, "utf8")).some((specifier) => reachesIo(file, specifier)),
  );
  expect(offenders.map((f) => relative(src, f))).toEqual([]);
});
