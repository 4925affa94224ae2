/**
 * Where JSON text first goes wrong. `JSON.parse` names a position for some errors and not for
 * others (V8's "Unexpected token 'x', "…" is not valid JSON"), so the loader rescans failed text
 * with this small grammar check to give every JSON syntax error a line and column.
 */

class JsonStop {
  constructor(readonly offset: number) {}
}

/** The offset of the first character that cannot continue valid JSON; `undefined` when the text is valid. */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const stop = (): never => {
    throw new JsonStop(i);
  };
  const skipSpace = (): void => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i += 1;
  };
  const expect = (char: string): void => {
    if (text[i] !== char) stop();
    i += 1;
  };
  const literal = (word: string): void => {
    for (const char of word) expect(char);
  };
  const digits = (): void => {
    if (!/[0-9]/.test(text[i] ?? "")) stop();
    while (/[0-9]/.test(text[i] ?? "")) i += 1;
  };
  const number = (): void => {
    if (text[i] === "-") i += 1;
    if (text[i] === "0") i += 1;
    else digits();
    if (text[i] === ".") {
      i += 1;
      digits();
    }
    if (text[i] === "e" || text[i] === "E") {
      i += 1;
      if (text[i] === "+" || text[i] === "-") i += 1;
      digits();
    }
  };
  const string = (): void => {
    expect('"');
    while (text[i] !== '"') {
      const char = text[i];
      if (char === undefined || char < " ") stop();
      if (char === "\\") {
        i += 1;
        if (text[i] === "u") {
          i += 1;
          for (let k = 0; k < 4; k += 1) {
            if (!/[0-9a-fA-F]/.test(text[i] ?? "")) stop();
            i += 1;
          }
          continue;
        }
        if (!'"\\/bfnrt'.includes(text[i] ?? "x")) stop();
      }
      i += 1;
    }
    i += 1;
  };
  const value = (): void => {
    skipSpace();
    const char = text[i];
    if (char === "{")
      members("}", () => {
        skipSpace();
        string();
        skipSpace();
        expect(":");
        value();
      });
    else if (char === "[") members("]", value);
    else if (char === '"') string();
    else if (char === "t") literal("true");
    else if (char === "f") literal("false");
    else if (char === "n") literal("null");
    else if (char === "-" || /[0-9]/.test(char ?? "")) number();
    else stop();
    skipSpace();
  };
  const members = (close: string, member: () => void): void => {
    i += 1;
    skipSpace();
    if (text[i] === close) {
      i += 1;
      return;
    }
    for (;;) {
      member();
      skipSpace();
      if (text[i] === close) {
        i += 1;
        return;
      }
      expect(",");
    }
  };
  try {
    value();
    if (i < text.length) stop();
    return undefined;
  } catch (error) {
    if (error instanceof JsonStop) return error.offset;
    throw error;
  }
}
