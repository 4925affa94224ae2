/**
 * Turns template text (JSON or YAML) into plain JSON data. YAML's CloudFormation short forms
 * (`!Ref X`, `!GetAtt A.B`, `!Sub …`, …) become the long forms (`{"Ref": "X"}`,
 * `{"Fn::GetAtt": ["A", "B"]}`), so nothing after this module knows YAML existed.
 *
 * Text that starts with `{` is JSON, anything else YAML; syntax errors carry a line and column. YAML aliases are refused as CloudFormation refuses them, and YAML 1.2
 * scalar rules apply (`yes` stays a string; `2010-09-09` stays a string).
 */
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { jsonErrorOffset } from "./json-error-position.js";
import { isPlainObject, type JsonObject, setOwn } from "./json-values.js";
import type { TemplateError } from "./template-errors.js";

export type LoadResult =
  | { ok: true; template: JsonObject; format: "json" | "yaml" }
  | { ok: false; errors: TemplateError[] };

/** Short-form tag → the key of its long form. */
const SHORT_FORMS: Readonly<Record<string, string>> = {
  "!Ref": "Ref",
  "!Condition": "Condition",
  "!GetAtt": "Fn::GetAtt",
  "!Sub": "Fn::Sub",
  "!Join": "Fn::Join",
  "!Select": "Fn::Select",
  "!Split": "Fn::Split",
  "!If": "Fn::If",
  "!Equals": "Fn::Equals",
  "!And": "Fn::And",
  "!Or": "Fn::Or",
  "!Not": "Fn::Not",
  "!FindInMap": "Fn::FindInMap",
  "!Base64": "Fn::Base64",
  "!GetAZs": "Fn::GetAZs",
  "!ImportValue": "Fn::ImportValue",
  "!Cidr": "Fn::Cidr",
  // Language-extension functions: converted so that validation can name them as unsupported.
  "!Length": "Fn::Length",
  "!ToJsonString": "Fn::ToJsonString",
  "!Transform": "Fn::Transform",
};

const UNSUPPORTED_STRUCTURE = "unsupported structure: a template must be a JSON object or a YAML mapping";

export function loadTemplate(text: string): LoadResult {
  const trimmed = text.trimStart();
  // Text that opens like JSON is JSON: a stray trailing comma should be reported, not reread as YAML.
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return { ok: false, errors: [jsonSyntaxError(text, error)] };
    }
    if (!isPlainObject(parsed))
      return { ok: false, errors: [{ path: "", message: UNSUPPORTED_STRUCTURE, line: 1, column: 1 }] };
    return { ok: true, template: parsed, format: "json" };
  }
  return loadYaml(text);
}

function jsonSyntaxError(text: string, error: unknown): TemplateError {
  const reason = (error instanceof Error ? error.message : String(error))
    .replace(/ in JSON at position \d+.*$/s, "")
    .replace(/, ".*" is not valid JSON$/s, "");
  const offset = jsonErrorOffset(text) ?? text.length;
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return { path: "", message: `JSON syntax error: ${reason}`, line, column };
}

function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "");
}

function loadYaml(text: string): LoadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const errors: TemplateError[] = doc.errors.map((error) => {
    const at = error.linePos?.[0];
    return {
      path: "",
      message: `YAML syntax error: ${firstLine(error.message)}`,
      ...(at ? { line: at.line, column: at.col } : {}),
    };
  });
  for (const warning of doc.warnings) {
    const tag = /^Unresolved tag: (\S+)/.exec(warning.message)?.[1];
    if (warning.code !== "TAG_RESOLVE_FAILED" || tag === undefined || Object.hasOwn(SHORT_FORMS, tag))
      continue;
    const at = warning.linePos?.[0];
    errors.push({
      path: "",
      message: `Unknown tag ${tag}`,
      ...(at ? { line: at.line, column: at.col } : {}),
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  const converted = convertNode(doc.contents, "", lineCounter, errors);
  if (errors.length > 0) return { ok: false, errors };
  if (!isPlainObject(converted))
    return { ok: false, errors: [{ path: "", message: UNSUPPORTED_STRUCTURE, line: 1, column: 1 }] };
  return { ok: true, template: converted, format: "yaml" };
}

type YamlNode = Document.Parsed["contents"];

function positionOf(node: unknown, lineCounter: LineCounter): { line?: number; column?: number } {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  if (range === undefined) return {};
  const { line, col } = lineCounter.linePos(range[0]);
  return { line, column: col };
}

function convertNode(
  node: YamlNode | unknown,
  path: string,
  lineCounter: LineCounter,
  errors: TemplateError[],
): unknown {
  if (node === null || node === undefined) return null;
  if (isAlias(node)) {
    errors.push({
      path,
      message: "YAML aliases are not allowed in CloudFormation templates",
      ...positionOf(node, lineCounter),
    });
    return null;
  }
  let value: unknown;
  if (isScalar(node)) {
    value = node.value;
  } else if (isSeq(node)) {
    value = node.items.map((item, i) => convertNode(item, `${path}[${i}]`, lineCounter, errors));
  } else if (isMap(node)) {
    const object: JsonObject = {};
    for (const pair of node.items) {
      const key = pair.key;
      if (key !== null && !isScalar(key)) {
        errors.push({ path, message: "Mapping keys must be strings", ...positionOf(key, lineCounter) });
        continue;
      }
      const name =
        key === null ? "" : typeof key.value === "string" ? key.value : (key.source ?? String(key.value));
      setOwn(
        object,
        name,
        convertNode(pair.value, path === "" ? name : `${path}.${name}`, lineCounter, errors),
      );
    }
    value = object;
  } else {
    errors.push({ path, message: "Unsupported YAML node", ...positionOf(node, lineCounter) });
    return null;
  }
  const tag = (node as { tag?: string }).tag;
  const longForm = tag === undefined ? undefined : SHORT_FORMS[tag];
  if (longForm === undefined || !Object.hasOwn(SHORT_FORMS, tag!)) return value;
  return { [longForm]: tag === "!GetAtt" && typeof value === "string" ? splitGetAtt(value) : value };
}

/** `!GetAtt Res.Attr.Sub` names attribute `Attr.Sub` of `Res`: only the first dot separates. */
function splitGetAtt(value: string): string[] | string {
  const dot = value.indexOf(".");
  return dot === -1 ? value : [value.slice(0, dot), value.slice(dot + 1)];
}
