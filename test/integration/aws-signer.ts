// Signs arbitrary requests with the AWS SDK's own SigV4 signer, so tests can send what no SDK
// command would (bad bodies, unknown actions) yet still get past authentication.
import { SignatureV4 } from "@smithy/signature-v4";
import { NodeSha256 } from "../../src/protocol/node-sha256.js";

export interface SignInput {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string | Uint8Array;
  readonly service: string;
  readonly region: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** The SDK's signer for `input`, and the request it describes (headers still to be signed). */
function prepare(
  input: Omit<SignInput, "headers" | "body" | "method"> & {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Uint8Array;
  },
) {
  const url = new URL(input.url);
  const signer = new SignatureV4({
    service: input.service,
    region: input.region,
    credentials: input.credentials,
    sha256: NodeSha256,
  });
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const request = {
    method: input.method ?? "GET",
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query,
    headers: { host: url.host, ...input.headers },
    body: input.body,
  };
  return { url, signer, request };
}

/** The headers to send (including Authorization and X-Amz-Date) for a request signed as given. */
export async function signedHeaders(input: SignInput): Promise<Record<string, string>> {
  const { signer, request } = prepare(input);
  const signed = await signer.sign(request);
  const { host: _host, ...rest } = signed.headers as Record<string, string>;
  return rest;
}

/** A presigned URL for a GET request, as `SignatureV4.presign` makes them. */
export async function presignedUrl(
  input: Omit<SignInput, "headers" | "body" | "method">,
  expiresIn = 300,
): Promise<string> {
  const { url, signer, request } = prepare(input);
  const signed = await signer.presign(request, { expiresIn });
  const out = new URL(`${url.protocol}//${url.host}${signed.path}`);
  for (const [k, v] of Object.entries(signed.query ?? {})) out.searchParams.set(k, String(v));
  return out.toString();
}
