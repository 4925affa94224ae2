import { InvalidEventPatternError, patternErrors } from "./pattern-errors.js";

/**
 * Where a value of the pattern sits in its text, as offsets Jackson's streaming parser would report
 * (AWS reads patterns with it and appends its position to every refusal it finds while reading):
 * `token` is just past the value's first token as `nextToken()` leaves it (past `[` or `{`, past a
 * whole number or literal, past only the opening quote of a string, whose text Jackson reads
 * lazily), `end` just past the whole value. An object's spans are by key (the last of duplicate keys,
 * as the value), an array's by index.
 */
export interface ValueSpan {
  readonly token: number;
  readonly end: number;
  readonly members?: ReadonlyMap<string, ValueSpan>;
  readonly items?: readonly ValueSpan[];
}

/** A pattern read: its value, and where each part of it is in `text`. */
export interface PatternDocument {
  readonly text: string;
  readonly value: Record<string, unknown>;
  readonly span: ValueSpan;
}

/**
 * Reads a pattern's JSON text. AWS parses patterns with Jackson, so a syntax error is worded as
 * Jackson words it, with its location suffix (`at [Source: (String)"…"; line: L, column: C]`).
 * Duplicate keys keep the last value, as Jackson's tree does.
 */
export function parsePatternJson(text: string): PatternDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidEventPatternError(syntaxErrorOf(text));
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const first = text.search(/\S/);
    throw new InvalidEventPatternError(
      `${patternErrors.notAnObject()}${locationSuffix(text, first < 0 ? 0 : first + 1)}`,
    );
  }
  const read = readSpans(text);
  return { text, value: read.value as Record<string, unknown>, span: read.span };
}

/**
 * Reads text JSON.parse has accepted into the same value, with every part's span. Objects are
 * built as JSON.parse builds them (own properties in the same order, `__proto__` an ordinary key).
 */
function readSpans(text: string): { value: unknown; span: ValueSpan } {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r"))
      i++;
  };
  const string = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const read = (): { value: unknown; span: ValueSpan } => {
    ws();
    const ch = text[i];
    if (ch === "{") {
      const token = ++i;
      const obj: Record<string, unknown> = {};
      const members = new Map<string, ValueSpan>();
      ws();
      while (text[i] !== "}") {
        ws();
        const key = string();
        ws();
        i++; // the colon
        const member = read();
        Object.defineProperty(obj, key, {
          value: member.value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
        members.set(key, member.span);
        ws();
        if (text[i] === ",") i++;
        ws();
      }
      i++;
      return { value: obj, span: { token, end: i, members } };
    }
    if (ch === "[") {
      const token = ++i;
      const list: unknown[] = [];
      const items: ValueSpan[] = [];
      ws();
      while (text[i] !== "]") {
        const item = read();
        list.push(item.value);
        items.push(item.span);
        ws();
        if (text[i] === ",") i++;
        ws();
      }
      i++;
      return { value: list, span: { token, end: i, items } };
    }
    const start = i;
    if (ch === '"') {
      const value = string();
      return { value, span: { token: start + 1, end: i } };
    }
    const m = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null/y;
    m.lastIndex = i;
    const literal = m.exec(text)![0];
    i += literal.length;
    return { value: JSON.parse(literal), span: { token: i, end: i } };
  };
  return read();
}

/** Jackson's ` at [Source: …]` suffix for the character offset `offset` (0-based, the next char). */
export function locationSuffix(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - (before.lastIndexOf("\n") + 1) + 1;
  const snippet =
    text.length > 500 ? `${text.slice(0, 500)}"[truncated ${text.length - 500} chars]` : `${text}"`;
  return `\n at [Source: (String)"${snippet}; line: ${line}, column: ${column}]`;
}

const expectingValue =
  "was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

/** The first syntax error in `text`, in Jackson's words. Only called once JSON.parse has failed. */
function syntaxErrorOf(text: string): string {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const fail = (message: string, at: number): never => {
    throw new SyntaxFound(`${message}${locationSuffix(text, at)}`);
  };
  const unexpected = (what: string) => {
    if (i >= text.length) fail(`Unexpected end-of-input: ${what}`, i);
    const ch = text[i]!;
    fail(`Unexpected character ('${ch}' (code ${ch.codePointAt(0)})): ${what}`, i);
  };
  const word = (): string => {
    const start = i;
    while (i < text.length && /[\p{L}\p{N}_$]/u.test(text[i]!)) i++;
    if (i === start) i++;
    return text.slice(start, i);
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') unexpected("was expecting double-quote to start field name");
        string();
        ws();
        if (text[i] !== ":") unexpected("was expecting a colon to separate field name and value");
        i++;
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return;
        }
        unexpected("was expecting comma to separate Object entries");
      }
    }
    if (ch === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return;
        }
        unexpected("was expecting comma to separate Array entries");
      }
    }
    if (ch === '"') {
      string();
      return;
    }
    if (ch !== undefined && /[-0-9]/.test(ch)) {
      const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
      if (m === null || m[0] === "-")
        unexpected("expected digit (0-9) to follow minus sign, for valid numeric value");
      i += m![0].length;
      return;
    }
    if (i >= text.length) fail(`Unexpected end-of-input: ${expectingValue}`, i);
    const start = i;
    const token = word();
    if (token === "true" || token === "false" || token === "null") return;
    if (/^[\p{L}\p{N}_$]/u.test(token)) fail(`Unrecognized token '${token}': ${expectingValue}`, i);
    i = start;
    unexpected(
      `expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')`,
    );
  };
  const string = (): void => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") i++;
      else if (text.charCodeAt(i) < 0x20) {
        fail(
          `Illegal unquoted character ((CTRL-CHAR, code ${text.charCodeAt(i)})): has to be escaped using backslash to be included in string value`,
          i + 1,
        );
      }
      i++;
    }
    if (i >= text.length) fail("Unexpected end-of-input: was expecting closing quote for a string value", i);
    i++;
  };
  try {
    value();
    ws();
    if (i < text.length) unexpected("expected end-of-input");
  } catch (error) {
    if (error instanceof SyntaxFound) return error.message;
    throw error;
  }
  return `Unexpected end-of-input${locationSuffix(text, text.length)}`;
}

class SyntaxFound extends Error {}
