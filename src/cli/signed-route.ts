/** Signing a request to one of Jeff's own routes under `/_jeff/` (SigV4, service `jeff`). */
import { request } from "node:http";
import { request as requestTls } from "node:https";
import { SignatureV4 } from "@smithy/signature-v4";
import { NodeSha256 } from "../protocol/index.js";
import type { DeployTarget } from "./deployer.js";
import { CliError } from "./output.js";

export async function signedRouteRequest(
  target: DeployTarget,
  path: string,
  query: Readonly<Record<string, string>> = {},
  method = "GET",
  body?: Buffer,
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
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: { ...query },
    headers: { host: url.host, ...(body ? { "content-length": String(body.length) } : {}) },
    ...(body ? { body } : {}),
  });
  return { url, headers: signed.headers };
}

/** Calls a signed route and reads its whole answer; anything but 200 is the server's refusal. */
export async function callSignedRoute(
  target: DeployTarget,
  path: string,
  options: {
    readonly method?: string;
    readonly body?: Buffer;
    readonly query?: Readonly<Record<string, string>>;
  } = {},
): Promise<string> {
  const method = options.method ?? "GET";
  const { url, headers } = await signedRouteRequest(target, path, options.query ?? {}, method, options.body);
  const send = url.protocol === "https:" ? requestTls : request;
  return new Promise<string>((resolve, reject) => {
    send(url, { method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () =>
        res.statusCode === 200 ? resolve(text) : reject(new CliError(refusal(res.statusCode, text))),
      );
      res.on("error", reject);
    })
      .on("error", (error: Error) =>
        reject(new CliError(`could not reach Jeff at ${target.endpoint}: ${error.message}`)),
      )
      .end(options.body);
  });
}

/** The server's error as a line: `Code: message` when it answered in AWS's JSON shape. */
function refusal(status: number | undefined, text: string): string {
  try {
    const { __type, message } = JSON.parse(text) as { __type?: string; message?: string };
    if (__type && message) return `${__type}: ${message}`;
  } catch {
    // not JSON: shown as it came
  }
  return `the server answered ${status}: ${text}`;
}
