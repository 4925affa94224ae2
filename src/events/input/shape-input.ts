import {
  isJsonTemplate,
  isPredefinedVariable,
  type PredefinedVariable,
  templateParts,
} from "./input-template.js";
import { parseJsonPath, type Selection, selectJsonPath } from "./json-path.js";
import type { TargetInputSettings } from "./validate-target-input.js";

/** What only delivery knows: the rule that matched and when EventBridge received the event. */
export interface InputContext {
  readonly ruleArn: string;
  readonly ruleName: string;
  /** ISO 8601, written as the event's own `time` is. */
  readonly ingestionTime: string;
}

/**
 * The text a target receives, or why it receives nothing: AWS delivers nothing when `InputPath`
 * selects nothing, or when a JSON template's result is not JSON (an object or a list placed inside
 * quotes, a value with a quote in it).
 */
export type ShapedInput =
  | { readonly delivered: true; readonly input: string }
  | { readonly delivered: false; readonly reason: "nothing-selected" | "template-not-json" };

/**
 * The input a matched event gives a target that passed validateTargetInput: the event as JSON when
 * the target says nothing; `Input` as written; what `InputPath` selects, as JSON; or
 * `InputTemplate` with each placeholder replaced by what its path selects.
 *
 * A placeholder's value is written as JSON (a string with its quotes) when it stands outside quotes
 * in a JSON-object template, and as text (a string without its quotes, not escaped) inside quotes.
 * In any other template the values are text, objects and lists as JSON without their quotes
 * (`{id:1}`, `[a,b]`), and the template is delivered as written, line breaks and all. A path that
 * selects nothing gives the empty string: `""` outside quotes. A JSON template's result is
 * delivered minified; when it is not JSON, nothing is delivered.
 */
export function shapeInput(
  target: TargetInputSettings,
  event: Readonly<Record<string, unknown>>,
  context: InputContext,
): ShapedInput {
  if (target.Input !== undefined) return delivered(target.Input);
  if (target.InputPath !== undefined) {
    const path = parseJsonPath(target.InputPath);
    const selection = path === undefined ? undefined : selectJsonPath(event, path);
    if (!selection?.found) return { delivered: false, reason: "nothing-selected" };
    return delivered(JSON.stringify(selection.value));
  }
  const transformer = target.InputTransformer;
  if (transformer === undefined) return delivered(JSON.stringify(event));

  const paths = transformer.InputPathsMap ?? {};
  const jsonTemplate = isJsonTemplate(transformer.InputTemplate);
  const filled = templateParts(transformer.InputTemplate)
    .map((part) => {
      if (part.kind === "text") return part.text;
      const selection = Object.hasOwn(paths, part.name)
        ? selectPath(event, paths[part.name]!)
        : isPredefinedVariable(part.name)
          ? { found: true as const, value: predefinedValue(part.name, event, context) }
          : undefined;
      // A placeholder nobody defines is refused at PutTargets; should one get here, it stays as written.
      if (selection === undefined) return `<${part.name}>`;
      return valueText(selection, { jsonTemplate, quoted: part.quoted });
    })
    .join("");
  if (!jsonTemplate) return delivered(filled);
  try {
    return delivered(JSON.stringify(JSON.parse(filled)));
  } catch {
    return { delivered: false, reason: "template-not-json" };
  }
}

const delivered = (input: string): ShapedInput => ({ delivered: true, input });

function selectPath(event: unknown, pathText: string): Selection {
  const path = parseJsonPath(pathText);
  return path === undefined ? { found: false } : selectJsonPath(event, path);
}

function valueText(selection: Selection, where: { jsonTemplate: boolean; quoted: boolean }): string {
  if (where.jsonTemplate && !where.quoted) return selection.found ? JSON.stringify(selection.value) : '""';
  if (!selection.found) return "";
  const { value } = selection;
  if (typeof value === "string") return value;
  const json = JSON.stringify(value);
  return where.jsonTemplate ? json : json.replaceAll('"', "");
}

/**
 * `aws.events.event` is the event without its `detail`, its fields in the order and with the
 * `detailType` name AWS writes them in; `aws.events.event.json` is the whole event.
 */
function predefinedValue(
  name: PredefinedVariable,
  event: Readonly<Record<string, unknown>>,
  context: InputContext,
): unknown {
  switch (name) {
    case "aws.events.rule-arn":
      return context.ruleArn;
    case "aws.events.rule-name":
      return context.ruleName;
    case "aws.events.event.ingestion-time":
      return context.ingestionTime;
    case "aws.events.event.json":
      return event;
    case "aws.events.event": {
      const envelope: Record<string, unknown> = {};
      for (const [field, as] of envelopeFields) if (field in event) envelope[as] = event[field];
      return envelope;
    }
    default: {
      const unknownName: never = name;
      throw new Error(`unknown predefined variable ${unknownName}`);
    }
  }
}

/** Recorded order of `<aws.events.event>`'s fields (test_input_transformer_predefined_variables). */
const envelopeFields = [
  ["id", "id"],
  ["account", "account"],
  ["detail-type", "detailType"],
  ["time", "time"],
  ["source", "source"],
  ["region", "region"],
  ["resources", "resources"],
  ["version", "version"],
] as const;
