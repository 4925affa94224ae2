/**
 * Deployment packages sent to Jeff over HTTP: `jeff deploy` and `jeff dev` PUT each package they
 * build to `/_jeff/packages` (signed like any call), Jeff keeps it in the store, and the template
 * they send names it by the location the upload answered, `jeff://packages/<sha256>.zip`. So a
 * deploy needs an endpoint and keys, never the server's disk, and every node can read what any
 * node received.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../ops/index.js";
import type { Caller, SignedRoute } from "../../protocol/index.js";
import { isAwsError } from "../../protocol/index.js";
import type { Store } from "../../store/index.js";
import { lambdaErrors } from "../lambda-errors.js";
import { keepCode, packageLocation } from "./code-packages.js";
import { codeLimits, type StoredCode } from "./function-code.js";

export const packageUploadPath = "/_jeff/packages";

/**
 * `PUT /_jeff/packages` with a zip as the body: checked, kept in the store, answered with its
 * location; `GET` with `sha256` gives one back (GetFunction's Code.Location).
 */
export function packageUploadRoute(options: {
  readonly store: Store;
  readonly codeRoot: string;
  readonly logger: Logger;
}): SignedRoute {
  const upload = (caller: Caller, body: Buffer): Promise<StoredCode> => {
    if (body.length === 0) throw lambdaErrors.invalidParameter("The package is empty: send a zip file");
    return keepCode(options.store, options.codeRoot, caller.accountId, body);
  };
  const route = (
    req: IncomingMessage,
    res: ServerResponse,
    { caller, body, query }: Parameters<SignedRoute>[2],
  ) => {
    if (req.method === "GET") {
      download(options.store, caller, query.get("sha256") ?? "").then(
        (zip) => {
          if (zip === undefined)
            answer(res, 404, { __type: "ResourceNotFoundException", message: "No such package" });
          else
            res.writeHead(200, { "content-type": "application/zip", "content-length": zip.length }).end(zip);
        },
        (error: unknown) => {
          options.logger.error("could not read a package", { error });
          answer(res, 500, { __type: "ServiceException", message: "could not read the package" });
        },
      );
      return;
    }
    if (req.method !== "PUT") {
      res.writeHead(405, { allow: "GET, PUT" }).end();
      return;
    }
    Promise.resolve()
      .then(() => upload(caller, body))
      .then(
        (code) =>
          answer(res, 200, {
            Location: packageLocation(code.sha256),
            CodeSha256: code.sha256,
            CodeSize: code.size,
          }),
        (error: unknown) => {
          if (isAwsError(error)) {
            answer(res, error.status, { __type: error.code, message: error.message });
            return;
          }
          options.logger.error("could not keep an uploaded package", { error });
          answer(res, 500, { __type: "ServiceException", message: "could not keep the package" });
        },
      );
  };
  // A package may be as large as Lambda takes one zipped, above the edge's limit for API calls.
  return Object.assign(route, { maxBodyBytes: codeLimits.zippedBytes });
}

/**
 * `GET /_jeff/packages?sha256=HEX`, as GetFunction's Code.Location presigns it: the package, if the
 * caller's account has it.
 */
async function download(store: Store, caller: Caller, hex: string): Promise<Buffer | undefined> {
  if (!/^[0-9a-f]{64}$/.test(hex)) return undefined;
  const row = await store.get<{ zip: Uint8Array }>(
    "SELECT zip FROM lambda_packages WHERE account_id = ? AND sha256 = ?",
    [caller.accountId, Buffer.from(hex, "hex").toString("base64")],
  );
  return row ? Buffer.from(row.zip) : undefined;
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
