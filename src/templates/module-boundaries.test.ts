/**
 * Keeps the folder's invariant true: the template code does no I/O. Its modules may import each
 * other and the `yaml` parser, nothing else (no `node:` modules, no other subsystem).
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const folder = new URL("./", import.meta.url);
const sources = readdirSync(folder).filter(
  (name) => name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".case.ts"),
);

describe("src/templates imports", () => {
  it.each(sources)("%s imports only sibling modules and yaml", (name) => {
    const text = readFileSync(new URL(name, folder), "utf8");
    const specifiers = [...text.matchAll(/^(?:import|export)[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]);
    for (const specifier of specifiers)
      expect(specifier, `${name} imports ${specifier}`).toMatch(/^(\.\/[a-z0-9-]+\.js|yaml)$/);
  });
});
