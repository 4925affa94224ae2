/** Every resource type a template may use, registered by the subsystem that owns it. */
import { parameterResource } from "../parameters/index.js";
import type { Store } from "../store/index.js";
import { ResourceRegistry } from "../templates/index.js";

export function createResourceRegistry(store: Store): ResourceRegistry {
  return new ResourceRegistry().register(parameterResource(store));
}
