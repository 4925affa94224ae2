/**
 * GetFunction's `Code.Location`: where a function's deployment package can be fetched. Lambda
 * answers an S3 URL presigned for ten minutes; Jeff answers its own `/_jeff/packages` route, which
 * gives the package back to a GET, with the caller's own credentials presigned into the query
 * (SigV4, service `jeff`), so that a plain `curl` of it works for ten minutes as on Lambda, and
 * only for packages of the caller's account.
 */
import { SignatureV4 } from "@smithy/signature-v4";
import { NodeSha256 } from "../../protocol/index.js";
import { packageUploadPath } from "./package-upload.js";

/** How long a Location is good for, as Lambda's. */
export const codeLocationSeconds = 600;

export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/**
 * The Location of the package whose SHA-256 (base64, as Lambda reports CodeSha256) is `sha256`,
 * on the edge at `origin` (`http://host:port`, as the caller reached it).
 */
export async function codeLocation(
  origin: string,
  region: string,
  credentials: SigningCredentials,
  sha256: string,
): Promise<string> {
  const url = new URL(packageUploadPath, origin);
  const query = { sha256: Buffer.from(sha256, "base64").toString("hex") };
  const signer = new SignatureV4({ service: "jeff", region, credentials, sha256: NodeSha256 });
  const signed = await signer.presign(
    {
      method: "GET",
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: { host: url.host },
    },
    { expiresIn: codeLocationSeconds },
  );
  const out = new URL(url);
  for (const [name, value] of Object.entries(signed.query ?? {})) {
    for (const one of Array.isArray(value) ? value : [value])
      if (one !== null) out.searchParams.append(name, one);
  }
  return out.toString();
}
