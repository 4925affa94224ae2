/**
 * Packaging a project's function code before a deploy, as `sam build` and `sam package` do: each
 * function whose code is a local path (SAM's `CodeUri`, or `Code` given as a path) is built —
 * bundled with esbuild when its `Metadata.BuildMethod` is `esbuild` — zipped, and handed to
 * `upload`, which sends it to Jeff; the template sent to Jeff names the location the upload
 * answered. A package's location is its hash, so a deploy changes a function exactly when its
 * code changed.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { zipDirectory } from "../functions/index.js";
import { loadTemplate } from "../templates/index.js";
import { CliError } from "./output.js";

type Json = Record<string, unknown>;

export interface PackagedTemplate {
  /** The template to send: the original text when nothing needed packaging. */
  readonly templateBody: string;
  /** The source folders (or files) of the functions' code, for `jeff dev` to watch. */
  readonly sources: readonly string[];
}

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** A path this machine can read: not S3, not an intrinsic function, not an object location. */
function localPath(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && !value.startsWith("s3://");
}

interface CodeTarget {
  readonly logicalId: string;
  readonly properties: Json;
  readonly field: "CodeUri" | "Code";
  readonly source: string;
  readonly metadata: Json;
  readonly handler: unknown;
  readonly resource: Json;
}

/** The functions whose code is a local path, and where that path leads. */
function codeTargets(template: Json, templateDir: string): CodeTarget[] {
  const globals =
    isObject(template.Globals) && isObject(template.Globals.Function) ? template.Globals.Function : {};
  const resources = isObject(template.Resources) ? template.Resources : {};
  const targets: CodeTarget[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!isObject(resource)) continue;
    const properties = isObject(resource.Properties) ? resource.Properties : {};
    const field =
      resource.Type === "AWS::Serverless::Function"
        ? "CodeUri"
        : resource.Type === "AWS::Lambda::Function"
          ? "Code"
          : undefined;
    if (field === undefined) continue;
    const given =
      properties[field] ??
      (field === "CodeUri" && properties.InlineCode === undefined ? globals.CodeUri : undefined);
    if (!localPath(given)) continue;
    targets.push({
      logicalId,
      properties,
      field,
      source: resolve(templateDir, given),
      metadata: isObject(resource.Metadata) ? resource.Metadata : {},
      handler: properties.Handler ?? globals.Handler,
      resource,
    });
  }
  return targets;
}

export interface Packaging {
  /** A folder never packaged with the code, though inside it: the project's data directory. */
  readonly exclude: string;
  /** Sends a package to Jeff; answers the location the template names it by. */
  readonly upload: (zip: Buffer) => Promise<string>;
}

/**
 * Builds and packages every local code path. `onSources` hears the source paths before anything
 * is built, so a watcher sees them even when a build then fails.
 */
export async function packageTemplate(
  templateBody: string,
  templateDir: string,
  packaging: Packaging,
  onSources?: (sources: readonly string[]) => void,
): Promise<PackagedTemplate> {
  const loaded = loadTemplate(templateBody);
  if (!loaded.ok) return { templateBody, sources: [] };
  const template = loaded.template as Json;
  const targets = codeTargets(template, templateDir);
  const sources = [...new Set(targets.map((t) => t.source))];
  onSources?.(sources);
  if (targets.length === 0) return { templateBody, sources };
  for (const target of targets) {
    const zip =
      target.metadata.BuildMethod === "esbuild"
        ? await bundle(target)
        : await packageOf(target.logicalId, target.source, packaging.exclude);
    const location = await packaging.upload(zip);
    target.resource.Properties = { ...target.properties, [target.field]: location };
  }
  return { templateBody: JSON.stringify(template, null, 2), sources };
}

async function packageOf(logicalId: string, source: string, exclude: string): Promise<Buffer> {
  const info = await stat(source).catch(() => undefined);
  if (!info) throw new CliError(`${logicalId}: code path ${source} does not exist`);
  // A data directory inside the project is never packaged with it.
  return info.isDirectory() ? zipDirectory(source, [exclude]) : readFile(source);
}

const sourceExtensions = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs", ".tsx", ".jsx"];
const moduleExtensions = [".js", ".mjs", ".cjs"];

/** The module path (without extension) a handler such as `src/app.handler` names. */
function handlerModule(logicalId: string, handler: unknown): string {
  if (typeof handler !== "string" || !handler.includes("."))
    throw new CliError(`${logicalId}: Handler must name file.export to be built with esbuild`);
  return handler.slice(0, handler.lastIndexOf("."));
}

/** The entry file a handler names, when EntryPoints is not given. */
function entryFor(logicalId: string, source: string, handler: unknown): string {
  const base = handlerModule(logicalId, handler);
  for (const ext of sourceExtensions) if (existsSync(join(source, base + ext))) return base + ext;
  throw new CliError(`${logicalId}: no source file for handler ${String(handler)} in ${source}`);
}

const list = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.map(String) : typeof value === "string" ? [value] : undefined;
const flag = (value: unknown, fallback: boolean): boolean =>
  value === undefined ? fallback : value === true || value === "true";

/**
 * `sam build`'s esbuild step, with SAM's BuildProperties (EntryPoints, Minify, Target, Sourcemap,
 * Format, External, OutExtension). Unlike SAM, source maps are on and minifying is off unless
 * asked, so a stack trace names the .ts line. Output is laid out as esbuild lays it out for SAM
 * (from the entry points' common folder); when the Handler names the entry by its path inside
 * CodeUri instead (`src/app.handler`), the folders are kept so that path exists.
 */
async function bundle(target: CodeTarget): Promise<Buffer> {
  const { logicalId, source, handler } = target;
  const props = isObject(target.metadata.BuildProperties) ? target.metadata.BuildProperties : {};
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
  const module = handlerModule(logicalId, handler);
  for (const outbase of [undefined, source]) {
    // A fresh folder per build: two deploys at once never write into each other's output.
    const outdir = await mkdtemp(join(tmpdir(), `jeff-build-${logicalId}-`));
    try {
      await build({
        entryPoints,
        outdir,
        ...(outbase ? { outbase } : {}),
        bundle: true,
        platform: "node",
        format,
        target: typeof props.Target === "string" ? props.Target : "es2020",
        minify: flag(props.Minify, false),
        sourcemap: flag(props.Sourcemap, true),
        external: list(props.External) ?? [],
        outExtension,
        logLevel: "silent",
      });
      if (outbase !== undefined || moduleExtensions.some((ext) => existsSync(join(outdir, module + ext)))) {
        await pointMapsAtSources(outdir);
        return await zipDirectory(outdir);
      }
    } catch (error) {
      throw new CliError(`${logicalId}: esbuild failed:\n${describeBuildError(error)}`);
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  }
  throw new CliError(`${logicalId}: the build has no module for handler ${String(handler)}`);
}

/**
 * esbuild names each source relative to the build's folder, which the function never sees: read
 * from where the code runs, such a path names a file that does not exist. Each map is rewritten to
 * name the real files on this machine, so a stack trace points at the source the developer edits.
 */
async function pointMapsAtSources(outdir: string): Promise<void> {
  const entries = await readdir(outdir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith(".map")) continue;
    const path = join(entry.parentPath, entry.name);
    const map = JSON.parse(await readFile(path, "utf8")) as { sources?: string[]; sourceRoot?: string };
    if (!Array.isArray(map.sources)) continue;
    const base = resolve(entry.parentPath, map.sourceRoot ?? "");
    map.sources = map.sources.map((source) => (/^[a-z]+:/i.test(source) ? source : resolve(base, source)));
    delete map.sourceRoot;
    await writeFile(path, JSON.stringify(map));
  }
}

function describeBuildError(error: unknown): string {
  const errors = (error as { errors?: Array<{ text: string; location?: { file: string; line: number } }> })
    .errors;
  return errors?.length
    ? errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text)).join("\n")
    : String(error);
}
