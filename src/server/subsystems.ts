/**
 * Every subsystem, in the order they open (and the reverse of the order they stop): each one's
 * folder under `src/` and this one line. Operations opens before the subsystems whose calls it
 * records; stacks after the subsystems whose resource types it provisions.
 */
import { eventsSubsystem } from "../events/index.js";
import { functionsSubsystem } from "../functions/index.js";
import { identitySubsystem } from "../identity/index.js";
import { logsSubsystem } from "../logs/index.js";
import { operationsSubsystem } from "../operations/index.js";
import { parametersSubsystem } from "../parameters/index.js";
import { queueSubsystem } from "../queue/index.js";
import { stacksSubsystem } from "../stacks/index.js";
import type { Migration } from "../store/index.js";
import type { Subsystem } from "./subsystem.js";

export const subsystems: readonly Subsystem[] = [
  identitySubsystem,
  queueSubsystem,
  operationsSubsystem,
  logsSubsystem,
  parametersSubsystem,
  stacksSubsystem,
  functionsSubsystem,
  eventsSubsystem,
];

/** Every subsystem's schema steps, applied in id order at start. */
export function migrationsOf(list: readonly Subsystem[]): Migration[] {
  return list.flatMap((subsystem) => subsystem.migrations);
}
