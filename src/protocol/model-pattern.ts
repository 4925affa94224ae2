/**
 * AWS models write `pattern` in Java's regex dialect and match it against the whole value
 * (`String.matches`). This turns one into the JavaScript RegExp that accepts the same strings,
 * keeping the model's own text for messages.
 */
const compiled = new Map<string, RegExp>();

/** The whole-value RegExp for a model pattern: leading `(?i)`/`(?s)` become flags, `\p{…}` needs `u`. */
export function patternRegExp(pattern: string): RegExp {
  const cached = compiled.get(pattern);
  if (cached) return cached;
  let source = pattern;
  let flags = "";
  for (let inline = /^\(\?([is]+)\)/.exec(source); inline; inline = /^\(\?([is]+)\)/.exec(source)) {
    flags += inline[1];
    source = source.slice(inline[0].length);
  }
  if (source.includes("\\p{")) flags += "u";
  const regExp = new RegExp(`^(?:${source})$`, flags);
  compiled.set(pattern, regExp);
  return regExp;
}

export function matchesPattern(pattern: string, value: string): boolean {
  return patternRegExp(pattern).test(value);
}
