/** `jeff validate [template]`: every problem in a template, each with its logical id and path. */
import { CliError, createOutput } from "../output.js";
import { checkTemplate, formatTemplateErrors, readTemplate, templatePath } from "../template-file.js";

export async function runValidate(given: string | undefined, flags: { json?: boolean }): Promise<void> {
  const out = createOutput(flags.json === true);
  const file = templatePath(process.cwd(), given);
  const errors = checkTemplate(await readTemplate(file));
  if (errors.length === 0) {
    out.result(`${file} is a valid template`, { template: file, valid: true, errors: [] });
    return;
  }
  if (out.json) {
    out.result("", { template: file, valid: false, errors });
    throw new CliError(`${errors.length} problem(s) in ${file}`);
  }
  process.stderr.write(`${formatTemplateErrors(file, errors)}\n`);
  throw new CliError(`${errors.length} problem(s) in ${file}`);
}
