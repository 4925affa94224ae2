/**
 * @module functions/code
 * Deployment packages and code folders: a .zip is checked whole, then unpacked by its hash into a
 * code folder of its own (`function-code.ts`), packages are kept in the store so that every node
 * can unpack them (`code-packages.ts`), the CLI uploads the packages it builds over HTTP and
 * templates name them by location (`package-upload.ts`), packages saved on disk by earlier CLIs
 * are still read for the stacks that name them (`package-store.ts`), and code no function uses is
 * swept away (`code-sweep.ts`).
 *
 * Invariant: nothing in a package reaches outside its code folder — no escaping path, no link
 * followed — and a package is refused before anything of it is written.
 */

export {
  codePackageMigrations,
  isPackageLocation,
  keepCode,
  keptPackage,
  localCode,
  packageBucket,
  packageBytes,
  packageInBucket,
  packageObject,
  sweepUnusedPackages,
} from "./code-packages.js";
export { sweepUnneeded, sweepUnusedCode } from "./code-sweep.js";
export { codeLimits, type StoredCode, storeCode } from "./function-code.js";
export { packagesDirIn, readPackage } from "./package-store.js";
export { packageDownloadUrl, packageUploadPath, packageUploadRoute } from "./package-upload.js";
export { zipDirectory } from "./zip-directory.js";
