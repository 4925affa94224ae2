/** Every resource type a template may use, registered by the subsystem that owns it. */
import { type FunctionResourceOptions, functionResources } from "../functions/index.js";
import { parameterResource } from "../parameters/index.js";
import { ResourceRegistry } from "../templates/index.js";

/** What the handlers need: the store, and where functions' code is unpacked. */
export type ResourceTypeOptions = FunctionResourceOptions;

export function createResourceRegistry(options: ResourceTypeOptions): ResourceRegistry {
  const registry = new ResourceRegistry().register(parameterResource(options.store));
  for (const handler of functionResources(options)) registry.register(handler);
  return registry;
}
