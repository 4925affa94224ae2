/**
 * Where GetFunction's `Code.Location` points, as Lambda's points at a presigned S3 URL: a GET of
 * `/_jeff/packages?account=…&sha256=…`, presigned (SigV4, ten minutes) with the installation's
 * own key, so that anyone holding the link — curl, a browser — can fetch that one package while
 * it lasts, and nothing else.
 */
import { SignatureV4 } from "@smithy/signature-v4";
import { NodeSha256 } from "../../protocol/index.js";
import type { Store } from "../../store/index.js";

/** How long a link lasts, as Lambda's: ten minutes. */
const linkSeconds = 600;

export interface PackageLinks {
  /** Jeff's endpoint once it listens; no links are made before. */
  endpoint?: string;
  /** The key the links are signed with. */
  readonly key: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** The principal that key belongs to: the one non-owner allowed to fetch a package. */
  readonly signerArn: string;
  readonly region: string;
}

/** The presigned link to an account's package (`sha256` in base64, as Lambda reports it). */
export async function packageLink(
  links: PackageLinks,
  path: string,
  accountId: string,
  sha256: string,
): Promise<string | undefined> {
  if (links.endpoint === undefined) return undefined;
  const url = new URL(path, links.endpoint);
  const query = { account: accountId, sha256: Buffer.from(sha256, "base64").toString("hex") };
  const signer = new SignatureV4({
    service: "jeff",
    region: links.region,
    credentials: links.key,
    sha256: NodeSha256,
  });
  const presigned = await signer.presign(
    {
      method: "GET",
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: { host: url.host },
    },
    { expiresIn: linkSeconds },
  );
  for (const [name, value] of Object.entries(presigned.query ?? {})) {
    if (typeof value === "string") url.searchParams.set(name, value);
  }
  return url.toString();
}

/** The zip of an account's package, by its hash in hex; undefined when there is none. */
export async function packageZip(
  store: Store,
  accountId: string,
  sha256Hex: string,
): Promise<Buffer | undefined> {
  if (!/^[0-9a-f]{64}$/.test(sha256Hex)) return undefined;
  const row = await store.get<{ zip: Uint8Array }>(
    "SELECT zip FROM lambda_packages WHERE account_id = ? AND sha256 = ?",
    [accountId, Buffer.from(sha256Hex, "hex").toString("base64")],
  );
  return row ? Buffer.from(row.zip) : undefined;
}
