/**
 * URLs that carry their caller's authority: a GET to one of Jeff's own routes, presigned (SigV4 in
 * the query string) with the caller's own key, as Lambda's `Code.Location` is an S3 URL presigned
 * for ten minutes. Signing happens here, so the secret never leaves this subsystem; whoever holds
 * the URL can make that one request, as that caller, until it expires.
 */
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import type { SqlExecutor } from "../store/index.js";
import { findAccessKey } from "./access-keys.js";

export interface PresignRequest {
  /** The access key the caller signed its own request with. */
  readonly accessKeyId: string;
  /** The full URL to presign, its own query parameters included. */
  readonly url: URL;
  readonly region: string;
  readonly expiresInSeconds: number;
}

/** `request.url` presigned for GET with the caller's key (service `jeff`); undefined if the key is gone. */
export async function presignedUrl(db: SqlExecutor, request: PresignRequest): Promise<string | undefined> {
  const key = await findAccessKey(db, request.accessKeyId);
  if (key?.status !== "Active") return undefined;
  const { url } = request;
  const signer = new SignatureV4({
    service: "jeff",
    region: request.region,
    credentials: {
      accessKeyId: key.accessKeyId,
      secretAccessKey: key.secretAccessKey,
      ...(key.sessionToken ? { sessionToken: key.sessionToken } : {}),
    },
    sha256: Sha256,
  });
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = value;
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
    { expiresIn: request.expiresInSeconds },
  );
  const out = new URL(url.pathname, url.origin);
  for (const [name, value] of Object.entries(signed.query ?? {})) {
    for (const one of Array.isArray(value) ? value : [value])
      if (one !== null) out.searchParams.append(name, one);
  }
  return out.toString();
}

/** The hash the signer asks for, over Node's own crypto. */
class Sha256 {
  readonly #hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash =
      secret === undefined
        ? createHash("sha256")
        : createHmac("sha256", typeof secret === "string" ? secret : bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(typeof data === "string" ? data : bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
}

function bytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  return ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
}
