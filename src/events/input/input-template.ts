/**
 * An `InputTemplate` read into literal text and `<name>` placeholders, each knowing whether it sits
 * inside a JSON string of the template (between unescaped double quotes).
 */

export type TemplatePart =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "placeholder"; readonly name: string; readonly quoted: boolean };

/** The variables EventBridge defines itself; no `InputPathsMap` key can take these names. */
export const predefinedVariables = [
  "aws.events.rule-arn",
  "aws.events.rule-name",
  "aws.events.event.ingestion-time",
  "aws.events.event",
  "aws.events.event.json",
] as const;

export type PredefinedVariable = (typeof predefinedVariables)[number];

/** The predefined variables whose value is raw JSON, which only a JSON-object template may hold. */
export const jsonOnlyVariables: ReadonlySet<string> = new Set(["aws.events.event", "aws.events.event.json"]);

export function isPredefinedVariable(name: string): name is PredefinedVariable {
  return (predefinedVariables as readonly string[]).includes(name);
}

/**
 * A template is a JSON template when it is a JSON object (its first non-blank character is `{`):
 * its result is parsed as JSON. Any other template (a quoted string, several, bare text, an array)
 * is text, delivered as it is written.
 */
export function isJsonTemplate(template: string): boolean {
  return template.trimStart().startsWith("{");
}

/** A placeholder's name has the characters of an `InputPathsMap` key, and dots for `aws.events.*`. */
const placeholderPattern = /<([A-Za-z0-9_.-]+)>/y;

export function templateParts(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let textStart = 0;
  let quoted = false;
  let i = 0;
  while (i < template.length) {
    const ch = template[i];
    if (ch === "\\" && quoted) {
      i += 2;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === "<") {
      placeholderPattern.lastIndex = i;
      const match = placeholderPattern.exec(template);
      if (match !== null) {
        if (i > textStart) parts.push({ kind: "text", text: template.slice(textStart, i) });
        parts.push({ kind: "placeholder", name: match[1]!, quoted });
        i = textStart = placeholderPattern.lastIndex;
        continue;
      }
    }
    i++;
  }
  if (textStart < template.length) parts.push({ kind: "text", text: template.slice(textStart) });
  return parts;
}
