/**
 * What a template declares, gathered once so every check asks the same question the same way:
 * "is X a parameter?", "which resource owns the SAM-generated id Y?".
 */
import { isPseudoParameter } from "./pseudo-parameters.js";
import type { TemplateReference } from "./references.js";
import { type ResourceRegistry, supportsAttribute } from "./resource-registry.js";
import { type TemplateError, templateError } from "./template-errors.js";

export interface TemplateNames {
  readonly parameters: ReadonlySet<string>;
  readonly conditions: ReadonlySet<string>;
  /** Declared resources: logical id → type. */
  readonly resources: ReadonlyMap<string, string>;
  /** SAM-generated ids → their type and the declared resources that generate them. */
  readonly implicit: ReadonlyMap<string, { readonly type: string; readonly owners: readonly string[] }>;
  readonly registry: ResourceRegistry;
}

/** The declared resources a resource id stands for: itself, or the owners of an implicit id. */
export function resourcesBehind(names: TemplateNames, id: string): readonly string[] {
  if (names.resources.has(id)) return [id];
  return names.implicit.get(id)?.owners ?? [];
}

function typeOf(names: TemplateNames, id: string): string | undefined {
  return names.resources.get(id) ?? names.implicit.get(id)?.type;
}

export type ReferenceBlock = "Resources" | "Outputs" | "Conditions";

/** Errors for references whose target does not exist or cannot be used in `block`. */
export function checkReferences(
  references: readonly TemplateReference[],
  names: TemplateNames,
  block: ReferenceBlock,
): TemplateError[] {
  const errors: TemplateError[] = [];
  for (const reference of references) {
    const { target, path } = reference;
    const isResource = typeOf(names, target) !== undefined;
    if (block === "Conditions") {
      if (reference.kind === "GetAtt" || !(isPseudoParameter(target) || names.parameters.has(target))) {
        errors.push(
          templateError(
            path,
            `Unresolved dependencies [${target}]. Cannot reference resources in the Conditions block of the template`,
          ),
        );
      }
      continue;
    }
    if (reference.kind === "Ref") {
      if (!isPseudoParameter(target) && !names.parameters.has(target) && !isResource) {
        errors.push(
          templateError(
            path,
            `Unresolved resource dependencies [${target}] in the ${block} block of the template`,
          ),
        );
      }
      continue;
    }
    if (!isResource) {
      errors.push(templateError(path, `instance of Fn::GetAtt references undefined resource ${target}`));
      continue;
    }
    const handler = names.registry.get(typeOf(names, target)!);
    if (
      handler !== undefined &&
      reference.attribute !== undefined &&
      !supportsAttribute(handler, reference.attribute)
    ) {
      errors.push(
        templateError(
          path,
          `resource ${target} does not support attribute type ${reference.attribute} in Fn::GetAtt`,
        ),
      );
    }
  }
  return errors;
}
