/** `jeff deploy` and `jeff delete`: apply a template to a running Jeff as a named stack, or remove it. */
import { dirname } from "node:path";
import {
  type DeployOutcome,
  deleteStack,
  deployStack,
  targetFor,
  targetOf,
  uploadPackage,
} from "../deployer.js";
import { CliError, createOutput, type Output } from "../output.js";
import { packageTemplate } from "../package-code.js";
import { dataDirFor } from "../project.js";
import {
  checkTemplate,
  defaultStackName,
  formatTemplateErrors,
  readTemplate,
  templatePath,
} from "../template-file.js";

export interface DeployFlags {
  stack?: string;
  template?: string;
  parameterOverrides?: string[];
  dataDir?: string;
  endpoint?: string;
  json?: boolean;
}

export function parseOverrides(pairs: readonly string[] = []): Record<string, string> {
  const values: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new CliError(`--parameter-overrides takes Key=Value pairs, not '${pair}'`);
    values[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return values;
}

export function reportOutcome(out: Output, result: DeployOutcome, verb: string): void {
  const outputs = Object.entries(result.outputs).map(([k, v]) => `  ${k} = ${v}`);
  const summary = result.changed
    ? `${result.ok ? out.green("✓") : out.red("✗")} ${result.stackName}: ${result.status}${result.reason ? ` (${result.reason})` : ""}`
    : `${result.stackName}: no changes (${result.status})`;
  out.result([summary, ...(outputs.length ? ["Outputs:", ...outputs] : [])].join("\n"), result);
  if (!result.ok) throw new CliError(`${verb} of ${result.stackName} failed: ${result.status}`);
}

export async function deployProject(
  projectDir: string,
  flags: DeployFlags,
  out: Output,
  onSources?: (sources: readonly string[]) => void,
): Promise<DeployOutcome> {
  const file = templatePath(projectDir, flags.template);
  const templateBody = await readTemplate(file);
  const errors = checkTemplate(templateBody);
  if (errors.length > 0) {
    process.stderr.write(`${formatTemplateErrors(file, errors)}\n`);
    throw new CliError(`${errors.length} problem(s) in ${file}; nothing was deployed`);
  }
  const dataDir = dataDirFor(projectDir, flags.dataDir);
  const target = await targetFor(dataDir, flags.endpoint);
  const stackName = flags.stack ?? defaultStackName(projectDir);
  const packaged = await packageTemplate(
    templateBody,
    dirname(file),
    { exclude: dataDir, upload: (zip) => uploadPackage(target, zip) },
    onSources,
  );
  out.note(`Deploying ${file} as stack ${out.bold(stackName)} to ${target.endpoint}`);
  return deployStack(
    target,
    {
      stackName,
      templateBody: packaged.templateBody,
      parameters: parseOverrides(flags.parameterOverrides),
    },
    out,
  );
}

export async function runDeploy(flags: DeployFlags): Promise<void> {
  const out = createOutput(flags.json === true);
  reportOutcome(out, await deployProject(process.cwd(), flags, out), "deploy");
}

export async function runDelete(flags: {
  stack: string;
  dataDir?: string;
  endpoint?: string;
  json?: boolean;
}): Promise<void> {
  const out = createOutput(flags.json === true);
  const target = await targetOf(flags);
  reportOutcome(out, await deleteStack(target, flags.stack, out), "delete");
}
