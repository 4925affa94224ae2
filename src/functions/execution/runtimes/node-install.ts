/** Node's own install, which every Node process in a sandbox needs to see. */
import { dirname } from "node:path";
import { installBinds } from "./lambda-environment.js";

/** `/usr` for Debian's node (always shown); a folder of nvm's or asdf's otherwise. */
export function nodeInstallBinds(): { source: string; target: string }[] {
  return installBinds([dirname(dirname(process.execPath))]);
}
