/**
 * A node's name in leases: made once per data directory and kept in it, so it survives restarts
 * (a restarted node takes its jobs back at once) and is used by one live process at a time (the
 * data directory's lock sees to that). A copy of a data directory must not run beside its original.
 */
import { randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { QueueMisuseError } from "./queue-errors.js";

export const nodeIdFileName = "node-id";

/** The node id kept in `dataDir`, written (0600) the first time it is asked for. */
export async function nodeIdIn(dataDir: string): Promise<string> {
  const file = join(dataDir, nodeIdFileName);
  try {
    await writeFile(file, `${randomUUID()}\n`, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const id = (await readFile(file, "utf8")).trim();
  if (id === "") throw new QueueMisuseError(`${file} is empty; delete it to get a new node id`);
  return id;
}
