/** Finding and reading a project's template, and checking it before anything is sent. */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import type { OperationRunner } from "../protocol/index.js";
import { parseServerConfig } from "../server/config.js";
import { createResourceRegistry } from "../server/resource-types.js";
import { subsystems } from "../server/subsystems.js";
import { describeTemplateError } from "../stacks/index.js";
import type { Store } from "../store/index.js";
import {
  loadTemplate,
  type ResourceRegistry,
  type TemplateError,
  validateTemplate,
} from "../templates/index.js";
import { CliError } from "./output.js";

const candidates = ["template.yaml", "template.yml", "template.json"];

/** The template a command means: the path given, or the project's `template.yaml` (or .yml / .json). */
export function templatePath(projectDir: string, given?: string): string {
  if (given) return resolve(given);
  for (const name of candidates) {
    const path = join(resolve(projectDir), name);
    if (existsSync(path)) return path;
  }
  throw new CliError(`no template found in ${resolve(projectDir)} (looked for ${candidates.join(", ")})`);
}

export async function readTemplate(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch {
    throw new CliError(`cannot read template ${path}`);
  }
}

/**
 * Resource handlers only touch the store when they create something; validation never does, so the
 * offline registry is given a store that refuses to be used.
 */
const noStore: Store = new Proxy({} as Store, {
  get() {
    throw new Error("validation does not use the store");
  },
});

const noCalls: OperationRunner = {
  run() {
    throw new Error("validation makes no calls");
  },
};

export function offlineRegistry(): ResourceRegistry {
  return createResourceRegistry(subsystems, {
    store: noStore,
    calls: noCalls,
    config: parseServerConfig({ dataDir: "/nonexistent" }),
  });
}

/** Every problem in the template, as validation reports them. */
export function checkTemplate(text: string): TemplateError[] {
  try {
    const loaded = loadTemplate(text);
    if (!loaded.ok) return loaded.errors;
    return validateTemplate(loaded.template, { registry: offlineRegistry() });
  } catch (error) {
    if (error instanceof RangeError) return [{ path: "", message: "the template is nested too deeply" }];
    throw error;
  }
}

export function formatTemplateErrors(file: string, errors: readonly TemplateError[]): string {
  return errors
    .map((e) => `${basename(file)}: ${e.logicalId ? `[${e.logicalId}] ` : ""}${describeTemplateError(e)}`)
    .join("\n");
}

/** A stack name from a folder name: CloudFormation allows letters, digits and hyphens, starting with a letter. */
export function defaultStackName(projectDir: string): string {
  const cleaned = basename(resolve(projectDir))
    .replace(/[^a-zA-Z0-9-]+/g, "-")
    .replace(/^[^a-zA-Z]+/, "")
    .replace(/-+$/, "");
  return (cleaned || "jeff-stack").slice(0, 128);
}
