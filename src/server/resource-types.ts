/** Every resource type a template may use, registered by the subsystem that owns it. */
import { ResourceRegistry } from "../templates/index.js";
import type { ResourceTypeContext, Subsystem } from "./subsystem.js";

export function createResourceRegistry(
  list: readonly Subsystem[],
  ctx: ResourceTypeContext,
): ResourceRegistry {
  const registry = new ResourceRegistry();
  for (const subsystem of list) {
    for (const handler of subsystem.resourceTypes?.(ctx) ?? []) registry.register(handler);
  }
  return registry;
}
