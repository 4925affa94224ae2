/** Short ways for a service to declare its operations' traits beside their handlers. */
import type { OperationTraits } from "./service.js";

type Extra = Omit<OperationTraits, "action" | "readOnly" | "resources">;

/** Account-wide calls act on no one resource (IAM's `*`). */
export const noResources: OperationTraits["resources"] = () => [];

/** A call that changes something: recorded with its effect, and announced as a change event. */
export function mutates(
  action: string,
  resources: OperationTraits["resources"] = noResources,
  extra: Extra = {},
): OperationTraits {
  return { action, readOnly: false, resources, ...extra };
}

/** A call that only reads. */
export function reads(
  action: string,
  resources: OperationTraits["resources"] = noResources,
  extra: Extra = {},
): OperationTraits {
  return { action, readOnly: true, resources, ...extra };
}
