/**
 * Structured logs: one JSON object a line when the output is not a terminal (for collectors),
 * a short readable line when it is.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFormat = "pretty" | "json";
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const colour: Record<LogLevel, string> = {
  debug: "\x1b[90m",
  info: "\x1b[36m",
  warn: "\x1b[33m",
  error: "\x1b[31m",
};

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  readonly write?: (line: string) => void;
  readonly colour?: boolean;
}

export function createLogger(options: LoggerOptions, bound: LogFields = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const emit = (level: LogLevel, message: string, fields?: LogFields) => {
    if (rank[level] < rank[options.level]) return;
    const all = { ...bound, ...fields };
    if (options.format === "json") {
      write(
        `${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...all }, errorReplacer)}\n`,
      );
      return;
    }
    const extras = Object.entries(all)
      .map(
        ([key, value]) =>
          `${key}=${typeof value === "string" ? value : JSON.stringify(value, errorReplacer)}`,
      )
      .join(" ");
    const tag = options.colour ? `${colour[level]}${level.padEnd(5)}\x1b[0m` : level.padEnd(5);
    write(`${new Date().toISOString().slice(11, 23)} ${tag} ${message}${extras ? ` ${extras}` : ""}\n`);
  };
  return {
    debug: (message, fields) => emit("debug", message, fields),
    info: (message, fields) => emit("info", message, fields),
    warn: (message, fields) => emit("warn", message, fields),
    error: (message, fields) => emit("error", message, fields),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

/** A logger that drops everything, for library callers and tests that do not care. */
export const silentLogger: Logger = createLogger({ level: "error", format: "json", write: () => {} });
