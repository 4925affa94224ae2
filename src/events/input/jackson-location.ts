/**
 * Where Jackson, which EventBridge parses JSON with, reports a syntax error, in its own words:
 * `[Source: (String)"…"; line: L, column: C]`. Jackson reports the position after the last
 * character it read, so an unexpected character is counted as read (`{'a'` fails at column 3, as
 * AWS answered for an `Input` of that shape) and an unknown word is read to its end.
 */

/** Jackson's location of the first syntax error in `text`. Only meaningful once JSON.parse has failed. */
export function jacksonErrorLocation(text: string): string {
  const offset = errorOffset(text);
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - (before.lastIndexOf("\n") + 1) + 1;
  const source =
    text.length > 500 ? `${text.slice(0, 500)}"[truncated ${text.length - 500} chars]` : `${text}"`;
  return `[Source: (String)"${source}; line: ${line}, column: ${column}]`;
}

class ErrorAt {
  constructor(readonly offset: number) {}
}

/** The offset Jackson has read up to when it fails on `text`. */
function errorOffset(text: string): number {
  let i = 0;
  /** Fails on the character at `i`, which Jackson has read by then (or at the end of input). */
  const failHere = (): never => {
    throw new ErrorAt(Math.min(i + 1, text.length));
  };
  const whitespace = () => {
    while (i < text.length && " \t\r\n".includes(text[i]!)) i++;
  };
  const string = (): void => {
    i++;
    for (;;) {
      if (i >= text.length) failHere();
      const ch = text[i]!;
      if (ch === '"') {
        i++;
        return;
      }
      if (ch.charCodeAt(0) < 0x20) failHere();
      if (ch === "\\") {
        i++;
        if (i >= text.length) failHere();
        if (text[i] === "u") {
          for (let k = 0; k < 4; k++) {
            i++;
            if (!/[0-9a-fA-F]/.test(text[i] ?? "")) failHere();
          }
        } else if (!'"\\/bfnrt'.includes(text[i]!)) failHere();
      }
      i++;
    }
  };
  const value = (): void => {
    whitespace();
    const ch = text[i];
    if (ch === undefined) failHere();
    if (ch === "{") {
      i++;
      whitespace();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        whitespace();
        if (text[i] !== '"') failHere();
        string();
        whitespace();
        if (text[i] !== ":") failHere();
        i++;
        value();
        whitespace();
        if (text[i] === "}") {
          i++;
          return;
        }
        if (text[i] !== ",") failHere();
        i++;
      }
    }
    if (ch === "[") {
      i++;
      whitespace();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value();
        whitespace();
        if (text[i] === "]") {
          i++;
          return;
        }
        if (text[i] !== ",") failHere();
        i++;
      }
    }
    if (ch === '"') {
      string();
      return;
    }
    if (/[-0-9]/.test(ch!)) {
      const number = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
      number.lastIndex = i;
      const match = number.exec(text);
      if (match === null) {
        i++;
        failHere();
      }
      i += match![0].length;
      if (/[0-9.eE]/.test(text[i] ?? "")) failHere();
      return;
    }
    // A word: Jackson reads all of it, then knows whether it is true, false or null.
    const start = i;
    while (i < text.length && /[\p{L}\p{N}_$]/u.test(text[i]!)) i++;
    if (i === start) failHere();
    if (!["true", "false", "null"].includes(text.slice(start, i))) throw new ErrorAt(i);
  };
  try {
    value();
    whitespace();
    if (i < text.length) failHere();
  } catch (error) {
    if (error instanceof ErrorAt) return error.offset;
    throw error;
  }
  return text.length;
}
