import { describe, expect, it } from "vitest";
import { layOutPackage, maxLinkHops, PackageRefusal } from "./package-layout.js";

const file = (name: string) => ({ name, mode: 0o100644, target: "" });
const folder = (name: string) => ({ name, mode: 0o040755, target: "" });
const link = (name: string, target: string) => ({ name, mode: 0o120777, target });
type Entry = ReturnType<typeof file>;

const layOut = (entries: Entry[]) => layOutPackage(entries, (entry) => entry.target);
const refusal = (entries: Entry[]) => {
  try {
    layOut(entries);
  } catch (error) {
    expect(error).toBeInstanceOf(PackageRefusal);
    return (error as Error).message;
  }
  throw new Error("expected the package to be refused");
};

/** `a/w1 -> ..`, `a/w1/w2 -> ..`, … `depth` deep: each harmless as text, together far outside. */
const chain = (depth: number) =>
  Array.from({ length: depth }, (_, i) =>
    link(`a/${Array.from({ length: i + 1 }, (_, j) => `w${j + 1}`).join("/")}`, ".."),
  );

describe("laying out a package", () => {
  it("lists folders (named or implied) parents first, then files and links", () => {
    const layout = layOut([
      file("src/lib/util.js"),
      folder("empty/"),
      file("./index.mjs"),
      link("bin/tool", "../src/lib/util.js"),
      file("a/../b.txt"),
    ]);
    expect(layout.directories).toEqual(["src", "src/lib", "empty", "bin"]);
    expect(layout.files.map((f) => f.path)).toEqual(["src/lib/util.js", "index.mjs", "b.txt"]);
    expect(layout.links).toMatchObject([{ path: "bin/tool", target: "../src/lib/util.js" }]);
  });

  it("keeps links that resolve inside, through other links and to paths the package lacks", () => {
    const layout = layOut([
      file("node_modules/.pnpm/pkg@1/node_modules/pkg/index.js"),
      link("node_modules/pkg", ".pnpm/pkg@1/node_modules/pkg"),
      link("lib", "node_modules/pkg"),
      link("entry.js", "lib/index.js"),
      link("here", "."),
      link("dangling", "missing/deeper/../file"),
      link("up-and-back", "lib/../../"),
    ]);
    expect(layout.links.map((l) => l.path)).toEqual([
      "node_modules/pkg",
      "lib",
      "entry.js",
      "here",
      "dangling",
      "up-and-back",
    ]);
  });

  it("refuses the chained-link escape: a path through a link of the package", () => {
    const message = refusal([...chain(6), file("a/w1/w2/w3/w4/w5/w6/pwned.txt")]);
    expect(message).toBe("The deployment package holds a path under a symbolic link: a/w1/w2");
    // Listed deepest first, the link above is seen when it arrives.
    expect(refusal([...chain(3).reverse()])).toBe(
      "The deployment package holds a path under a symbolic link: a/w1/w2/w3",
    );
  });

  it("refuses links that leave the package once resolved, though their text stays inside", () => {
    expect(refusal([link("a/w1", ".."), link("b", "a/w1/..")])).toBe(
      "The deployment package holds a symbolic link that points outside it: b -> a/w1/..",
    );
    expect(refusal([link("x", "y/.."), link("y", "z"), link("z", "..")])).toContain(
      "points outside it: x -> y/..",
    );
    expect(refusal([link("d", "missing/../..")])).toContain("points outside it: d -> missing/../..");
    expect(refusal([link("etc", "/etc/passwd")])).toContain("points outside it: etc -> /etc/passwd");
    expect(refusal([link("a/b", "../../x")])).toContain("points outside it");
  });

  it("refuses links that never resolve", () => {
    expect(refusal([link("c", "c")])).toContain("a symbolic link that does not resolve");
    expect(refusal([link("a", "b/x"), link("b", "a")])).toContain("does not resolve");
    const hops = (n: number) =>
      Array.from({ length: n }, (_, i) => link(`l${i}`, i === n - 1 ? "." : `l${i + 1}`));
    expect(layOut(hops(maxLinkHops)).links).toHaveLength(maxLinkHops);
    expect(refusal(hops(maxLinkHops + 1))).toContain("l0 -> l1");
  });

  it("refuses names that escape, repeat, pass through a file or cannot be created", () => {
    expect(refusal([file("../escape.js")])).toBe(
      "The deployment package holds a path outside its root: ../escape.js",
    );
    expect(refusal([file("a/../../x")])).toContain("outside its root");
    expect(refusal([file("/etc/cron.d/x")])).toContain("outside its root");
    expect(refusal([file("a\0b")])).toBe("The deployment package holds a path with a NUL character: a\\0b");
    expect(refusal([file("index.mjs"), file("./index.mjs")])).toBe(
      "The deployment package holds the same path twice: ./index.mjs",
    );
    expect(refusal([folder("a/"), link("a", ".")])).toContain("the same path twice: a");
    expect(refusal([file("a"), file("a/b")])).toBe("The deployment package holds a path under a file: a/b");
    expect(refusal([file("a/b"), file("a")])).toBe("The deployment package holds a path under a file: a/b");
    expect(refusal([file("x".repeat(256))])).toContain("a name longer than 255 bytes");
    expect(refusal([file("."), file("index.mjs")])).toContain("a file with no name");
    expect(refusal([link("empty", "")])).toContain("a symbolic link with no target");
  });

  it("resolves thousands of links that pass through one another", () => {
    const entries: Entry[] = [file(`${"deep/".repeat(100)}f`), link("top", "deep/".repeat(100))];
    for (let i = 0; i < 5000; i++) entries.push(link(`l${i}`, `top/${"../".repeat(100)}top/f`));
    expect(layOut(entries).links).toHaveLength(5001);
    entries.push(link("l-out", `top/${"../".repeat(101)}`));
    expect(refusal(entries)).toContain("points outside it: l-out");
  });
});
