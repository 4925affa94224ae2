import { type TargetInputError, targetInputErrors } from "./input-errors.js";
import { isJsonTemplate, isPredefinedVariable, jsonOnlyVariables, templateParts } from "./input-template.js";
import { jacksonErrorLocation } from "./jackson-location.js";
import { parseJsonPath } from "./json-path.js";

/** What of a PutTargets `Target` decides the input its target receives, in the API's names. */
export interface TargetInputSettings {
  readonly Id: string;
  readonly Input?: string | undefined;
  readonly InputPath?: string | undefined;
  readonly InputTransformer?:
    | {
        readonly InputPathsMap?: Readonly<Record<string, string>> | undefined;
        readonly InputTemplate: string;
      }
    | undefined;
}

/**
 * PutTargets' check of one target's input settings, after the model's own limits: the error AWS
 * answers, or undefined when the target is accepted. Checked in this order: more than one kind of
 * input; `Input` that is not JSON; `InputPath` or an `InputPathsMap` value that is not a path
 * EventBridge takes; then each placeholder of `InputTemplate` in turn, which must be a key of
 * `InputPathsMap` or a predefined variable (`aws.events.event` and `aws.events.event.json` only in a
 * JSON-object template).
 */
export function validateTargetInput(target: TargetInputSettings): TargetInputError | undefined {
  const { Id: id, Input: input, InputPath: inputPath, InputTransformer: transformer } = target;
  const given = [input, inputPath, transformer].filter((setting) => setting !== undefined);
  if (given.length > 1) return targetInputErrors.moreThanOneInput(id);

  if (input !== undefined && !isJson(input)) {
    return targetInputErrors.inputNotJson(id, jacksonErrorLocation(input));
  }
  if (inputPath !== undefined && parseJsonPath(inputPath) === undefined) {
    return targetInputErrors.invalidJsonPath(id);
  }
  if (transformer === undefined) return undefined;

  const paths = transformer.InputPathsMap ?? {};
  for (const path of Object.values(paths)) {
    if (parseJsonPath(path) === undefined) return targetInputErrors.invalidJsonPath(id);
  }
  const jsonTemplate = isJsonTemplate(transformer.InputTemplate);
  for (const part of templateParts(transformer.InputTemplate)) {
    if (part.kind !== "placeholder") continue;
    if (Object.hasOwn(paths, part.name)) continue;
    if (!isPredefinedVariable(part.name)) return targetInputErrors.invalidPlaceholder(id, part.name);
    if (jsonOnlyVariables.has(part.name) && !jsonTemplate) {
      return targetInputErrors.placeholderOnlyInJsonTemplate(id, part.name);
    }
  }
  return undefined;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
