/**
 * @module functions/code
 * Deployment packages and code folders: a .zip is checked whole, then unpacked by its hash into a
 * code folder of its own (`function-code.ts`), saved packages are kept by hash for the CLI
 * (`package-store.ts`), packages are kept in the store so that every node can unpack them
 * (`code-packages.ts`), and code no function uses is swept away (`code-sweep.ts`).
 *
 * Invariant: nothing in a package reaches outside its code folder — no escaping path, no link
 * followed — and a package is refused before anything of it is written.
 */
export { codePackageMigrations, keepCode, localCode, sweepUnusedPackages } from "./code-packages.js";
export { sweepUnneeded, sweepUnusedCode } from "./code-sweep.js";
export { type StoredCode, storeCode } from "./function-code.js";
export { packagesDirIn, readPackage, savePackage } from "./package-store.js";
export { zipDirectory } from "./zip-directory.js";
