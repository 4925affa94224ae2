/** Signing a request to one of Jeff's own routes under `/_jeff/` (SigV4, service `jeff`). */
import { SignatureV4 } from "@smithy/signature-v4";
import type { DeployTarget } from "./deployer.js";
import { NodeSha256 } from "./node-sha256.js";

export async function signedRouteRequest(
  target: DeployTarget,
  path: string,
  query: Readonly<Record<string, string>> = {},
): Promise<{ url: URL; headers: Record<string, string> }> {
  const url = new URL(path, target.endpoint);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const signer = new SignatureV4({
    service: "jeff",
    region: target.region,
    credentials: target.credentials,
    sha256: NodeSha256,
  });
  const signed = await signer.sign({
    method: "GET",
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: { ...query },
    headers: { host: url.host },
  });
  return { url, headers: signed.headers };
}
