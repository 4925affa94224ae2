/** How the CLI talks: human lines by default, one JSON document with `--json`, colour only on a terminal. */

export interface Output {
  readonly json: boolean;
  /** Prints a result: `human` for people, `data` as JSON for scripts. */
  result(human: string, data: unknown): void;
  /** Progress or notes for people; silent in JSON mode so stdout stays parseable. */
  note(text: string): void;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
}

export function createOutput(json: boolean, stream: NodeJS.WriteStream = process.stdout): Output {
  const colour = !json && stream.isTTY === true && !process.env.NO_COLOR;
  const paint = (code: string) => (text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
  return {
    json,
    result(human, data) {
      stream.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human}\n`);
    },
    note(text) {
      if (!json) process.stderr.write(`${text}\n`);
    },
    bold: paint("1"),
    dim: paint("2"),
    red: paint("31"),
    green: paint("32"),
  };
}

/** An error meant for the user: printed as one line, exit status 1. */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
