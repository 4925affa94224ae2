import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fillCodeFolder } from "./code-fill.js";

const root = mkdtempSync(join(tmpdir(), "jeff-code-fill-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("fillCodeFolder", () => {
  it("links every file, makes every folder and link again, and leaves the source as it was", async () => {
    const source = join(root, "source");
    const target = join(root, "target");
    mkdirSync(join(source, "lib", "deep"), { recursive: true });
    writeFileSync(join(source, "index.mjs"), "export const handler = 1;");
    writeFileSync(join(source, "lib", "deep", "data.json"), "{}", { mode: 0o644 });
    writeFileSync(join(source, "bootstrap"), "#!/bin/sh", { mode: 0o755 });
    symlinkSync("lib/deep/data.json", join(source, "data.json"));
    mkdirSync(target);
    await fillCodeFolder(source, target);
    expect(readFileSync(join(target, "index.mjs"), "utf8")).toBe("export const handler = 1;");
    expect(readFileSync(join(target, "lib", "deep", "data.json"), "utf8")).toBe("{}");
    // The same file, not a copy of its bytes; its mode comes with it.
    expect(lstatSync(join(target, "index.mjs")).ino).toBe(lstatSync(join(source, "index.mjs")).ino);
    expect(lstatSync(join(target, "bootstrap")).mode & 0o777).toBe(0o755);
    expect(readlinkSync(join(target, "data.json"))).toBe("lib/deep/data.json");
    expect(lstatSync(join(target, "lib")).isDirectory()).toBe(true);
  });
});
