/**
 * How to type this very `jeff` in a shell, for the commands Jeff prints (`eval "$(jeff env)"`, the
 * next step after `jeff init`), so that each works when pasted: `jeff` when the PATH's `jeff` is
 * this one, `npx jeff` inside Jeff's own repository, else `node` and this script's path.
 */
import { existsSync, realpathSync } from "node:fs";
import { delimiter, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const packageRoot = fileURLToPath(new URL("../../", import.meta.url));
const script = join(packageRoot, "bin", "jeff.js");

const real = (path: string): string | undefined => {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
};

export function selfCommand(cwd = process.cwd()): string {
  const mine = real(script);
  for (const folder of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(folder, "jeff");
    if (folder !== "" && existsSync(candidate) && real(candidate) === mine) return "jeff";
  }
  const inside = relative(real(packageRoot) ?? packageRoot, real(cwd) ?? cwd);
  if (!inside.startsWith("..") && !inside.startsWith(sep)) return "npx jeff";
  return `node ${/\s/.test(script) ? JSON.stringify(script) : script}`;
}
