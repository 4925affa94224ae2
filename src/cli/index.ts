/**
 * @module cli
 * `jeff …`: the commands a developer types, after the SAM CLI's habits (`init`, `validate`,
 * `deploy`, `logs`). Human output by default, `--json` for scripts, a one-line error and a non-zero
 * exit status on failure.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { CliError } from "./output.js";
import { defineCommands } from "./program.js";

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command("jeff")
    .description("Jeff: a self-hosted serverless platform that speaks AWS's APIs")
    .version(version(), "-v, --version")
    .showHelpAfterError()
    .exitOverride();
  defineCommands(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  // A reader that stops reading (`jeff events tail | head`) is done with the output, not a failure.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`jeff: ${message}\n`);
    process.exitCode = error instanceof CliError ? error.exitCode : 1;
  }
}
