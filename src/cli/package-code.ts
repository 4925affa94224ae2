/**
 * Packaging a project's function code before a deploy, as `sam build` and `sam package` do: each
 * function whose code is a local path (SAM's `CodeUri`, or `Code` given as a path) is built —
 * bundled with esbuild when its `Metadata.BuildMethod` is `esbuild` — and zipped into
 * `<data-dir>/packages/<sha256>.zip`, and the template sent to Jeff names that file. The same code
 * gives the same file name, so a deploy changes a function exactly when its code changed.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { zipDirectory } from "../functions/index.js";
import { loadTemplate } from "../templates/index.js";
import { CliError } from "./output.js";

type Json = Record<string, unknown>;

export interface PackagedTemplate {
  /** The template to send: the original text when nothing needed packaging. */
  readonly templateBody: string;
  /** The source folders (or files) the packages were made from, for `jeff dev` to watch. */
  readonly sources: readonly string[];
}

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** A path this machine can read: not S3, not an intrinsic function, not an object location. */
function localPath(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && !value.startsWith("s3://");
}

export async function packageTemplate(
  templateBody: string,
  templateDir: string,
  dataDir: string,
): Promise<PackagedTemplate> {
  const loaded = loadTemplate(templateBody);
  if (!loaded.ok) return { templateBody, sources: [] };
  const template = loaded.template as Json;
  const globals =
    isObject(template.Globals) && isObject(template.Globals.Function) ? template.Globals.Function : {};
  const resources = isObject(template.Resources) ? template.Resources : {};
  const sources: string[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!isObject(resource)) continue;
    const props = isObject(resource.Properties) ? resource.Properties : {};
    const field =
      resource.Type === "AWS::Serverless::Function"
        ? "CodeUri"
        : resource.Type === "AWS::Lambda::Function"
          ? "Code"
          : "";
    if (field === "") continue;
    const given =
      props[field] ?? (field === "CodeUri" && props.InlineCode === undefined ? globals.CodeUri : undefined);
    if (!localPath(given)) continue;
    const source = resolve(templateDir, given);
    const metadata = isObject(resource.Metadata) ? resource.Metadata : {};
    const handler = props.Handler ?? globals.Handler;
    const zip =
      metadata.BuildMethod === "esbuild"
        ? await bundle(logicalId, source, handler, metadata.BuildProperties, dataDir)
        : await packageOf(logicalId, source);
    resource.Properties = { ...props, [field]: await savePackage(zip, dataDir) };
    sources.push(source);
  }
  if (sources.length === 0) return { templateBody, sources };
  return { templateBody: JSON.stringify(template, null, 2), sources };
}

async function packageOf(logicalId: string, source: string): Promise<Buffer> {
  const info = await stat(source).catch(() => undefined);
  if (!info) throw new CliError(`${logicalId}: code path ${source} does not exist`);
  return info.isDirectory() ? zipDirectory(source) : readFile(source);
}

async function savePackage(zip: Buffer, dataDir: string): Promise<string> {
  const dir = join(dataDir, "packages");
  const path = join(dir, `${createHash("sha256").update(zip).digest("hex")}.zip`);
  if (!existsSync(path)) {
    await mkdir(dir, { recursive: true });
    const partial = `${path}.${process.pid}.partial`;
    await writeFile(partial, zip);
    await rename(partial, path);
  }
  return path;
}

const sourceExtensions = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".tsx", ".jsx"];

/** The entry file a handler such as `src/app.handler` names, as SAM finds it when EntryPoints is absent. */
function entryFor(logicalId: string, source: string, handler: unknown): string {
  if (typeof handler !== "string" || !handler.includes("."))
    throw new CliError(`${logicalId}: Handler must name file.export to be built with esbuild`);
  const base = handler.slice(0, handler.lastIndexOf("."));
  for (const ext of sourceExtensions) if (existsSync(join(source, base + ext))) return base + ext;
  throw new CliError(`${logicalId}: no source file for handler ${handler} in ${source}`);
}

const list = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.map(String) : typeof value === "string" ? [value] : undefined;
const flag = (value: unknown, fallback: boolean): boolean =>
  value === undefined ? fallback : value === true || value === "true";

/**
 * `sam build`'s esbuild step, with SAM's BuildProperties (EntryPoints, Minify, Target, Sourcemap,
 * Format, External, OutExtension). Unlike SAM, source maps are on and minifying is off unless
 * asked, so a stack trace names the .ts line.
 */
async function bundle(
  logicalId: string,
  source: string,
  handler: unknown,
  properties: unknown,
  dataDir: string,
): Promise<Buffer> {
  const props = isObject(properties) ? properties : {};
  const { build } = await import("esbuild");
  const entryPoints = (list(props.EntryPoints) ?? [entryFor(logicalId, source, handler)]).map((e) =>
    isAbsolute(e) ? e : join(source, e),
  );
  const format = props.Format === "esm" ? "esm" : "cjs";
  const outExtension: Record<string, string> = {};
  for (const entry of list(props.OutExtension) ?? []) {
    const [from, to] = entry.split("=");
    if (from && to) outExtension[from] = to;
  }
  // A folder with no package.json runs .js as CommonJS, so an ES module bundle is written as .mjs.
  if (format === "esm" && outExtension[".js"] === undefined) outExtension[".js"] = ".mjs";
  const outdir = join(dataDir, "build", logicalId);
  await rm(outdir, { recursive: true, force: true });
  try {
    await build({
      entryPoints,
      outdir,
      outbase: source,
      bundle: true,
      platform: "node",
      format,
      target: typeof props.Target === "string" ? props.Target : "es2022",
      minify: flag(props.Minify, false),
      sourcemap: flag(props.Sourcemap, true),
      external: list(props.External) ?? [],
      outExtension,
      logLevel: "silent",
    });
  } catch (error) {
    const errors = (error as { errors?: Array<{ text: string; location?: { file: string; line: number } }> })
      .errors;
    const detail = errors?.length
      ? errors
          .map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text))
          .join("\n")
      : String(error);
    throw new CliError(`${logicalId}: esbuild failed:\n${detail}`);
  }
  return zipDirectory(outdir);
}
