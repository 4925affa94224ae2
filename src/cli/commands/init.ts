/** `jeff init [dir]`: a starter project, copied from the example Jeff ships with. */
import { existsSync } from "node:fs";
import { cp, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { CliError, createOutput } from "../output.js";
import { selfCommand } from "../self-command.js";
import { defaultStackName } from "../template-file.js";

/** The bundled example doubles as the starter, so there is one project to keep working. */
export const exampleDir = fileURLToPath(new URL("../../../example", import.meta.url));

export async function runInit(dir: string, flags: { json?: boolean }): Promise<void> {
  const out = createOutput(flags.json === true);
  const target = resolve(dir);
  if (existsSync(target) && (await readdir(target)).some((name) => !name.startsWith("."))) {
    throw new CliError(`${target} is not empty; choose a new folder`);
  }
  await mkdir(target, { recursive: true });
  await cp(exampleDir, target, {
    recursive: true,
    filter: (source) => !relative(exampleDir, source).split(sep).includes(".jeff"),
  });
  // The stack takes the folder's name, so the README's commands name this project's stack.
  const name = defaultStackName(target);
  const readme = join(target, "README.md");
  await writeFile(
    readme,
    (await readFile(readme, "utf8"))
      .replaceAll("example-hello", `${name}-hello`)
      .replaceAll('"example"', `"${name}"`)
      .replaceAll("--stack-name example ", `--stack-name ${name} `),
  );
  const files = ["template.yaml", "src/hello.ts", "tsconfig.json", "README.md"];
  out.result(
    [
      `Created a Jeff project in ${target}:`,
      ...files.map((f) => `  ${f}`),
      "",
      `Next: cd ${dir} && ${selfCommand(target)} dev`,
    ].join("\n"),
    { dir: target, files },
  );
}
