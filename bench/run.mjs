#!/usr/bin/env node
// `npm run bench -- NAME` runs bench/NAME/index.mjs; with no name it lists the benchmarks.
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const names = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, "index.mjs")))
  .map((d) => d.name)
  .sort();
const [name, ...args] = process.argv.slice(2);
if (!name || !names.includes(name)) {
  if (name) console.error(`no benchmark named "${name}"`);
  console.error(`usage: npm run bench -- NAME [args]\nbenchmarks: ${names.join(", ") || "(none)"}`);
  process.exit(name ? 1 : 0);
}
if (!existsSync(join(here, "node_modules"))) {
  console.error("bench/ has its own dependencies: run (cd bench && npm ci) first");
  process.exit(1);
}
process.argv = [process.argv[0], join(here, name, "index.mjs"), ...args];
await import(pathToFileURL(join(here, name, "index.mjs")).href);
