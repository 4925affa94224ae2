/**
 * The string language of `Fn::Sub`: `${Name}` is a variable, `${Resource.Attribute}` a GetAtt,
 * and `${!Text}` the literal `${Text}` (the escape shell scripts in UserData rely on). A `${` with no
 * closing brace is plain text, as it is on AWS.
 */

export type SubPart =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "variable"; readonly name: string };

export type SubParseResult = { ok: true; parts: SubPart[] } | { ok: false; message: string };

const VARIABLE_NAME = /^[A-Za-z0-9_.:]+$/;

export const SUB_VARIABLE_NAME_MESSAGE =
  "variable names in Fn::Sub syntax must contain only alphanumeric characters, underscores, periods, and colons";

export function parseSubString(source: string): SubParseResult {
  const parts: SubPart[] = [];
  let text = "";
  let index = 0;
  while (index < source.length) {
    const start = source.indexOf("${", index);
    if (start === -1) {
      text += source.slice(index);
      break;
    }
    text += source.slice(index, start);
    if (source[start + 2] === "!") {
      // `${!x}` is the literal `${x}`: keep the `${`, drop the `!`, and scan on as text.
      text += "${";
      index = start + 3;
      continue;
    }
    const end = source.indexOf("}", start + 2);
    if (end === -1) {
      text += source.slice(start);
      break;
    }
    const name = source.slice(start + 2, end);
    if (!VARIABLE_NAME.test(name)) return { ok: false, message: `${SUB_VARIABLE_NAME_MESSAGE}: \${${name}}` };
    if (text !== "") parts.push({ kind: "text", text });
    text = "";
    parts.push({ kind: "variable", name });
    index = end + 1;
  }
  if (text !== "") parts.push({ kind: "text", text });
  return { ok: true, parts };
}

/** `Res.Attr.Sub` → `{ target: "Res", attribute: "Attr.Sub" }`; a name without a dot has no attribute. */
export function splitSubVariable(name: string): { target: string; attribute?: string } {
  const dot = name.indexOf(".");
  if (dot === -1) return { target: name };
  return { target: name.slice(0, dot), attribute: name.slice(dot + 1) };
}
