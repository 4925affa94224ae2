/**
 * HTTP requests Jeff sends to an address a caller chose: API destinations today, later workflow
 * HTTP tasks and OAuth token endpoints. Whoever holds access keys chooses that address — a
 * function among them, with its role's credentials — so Jeff's own process must not become the way
 * around the sandbox's network: loopback (the store's PostgreSQL, Redis, other environments'
 * Runtime APIs), link-local (cloud metadata services), private networks and the like are refused.
 * The address checked is the one connected to, after DNS resolution, so a name that resolves to
 * loopback (or re-resolves there later) is refused too. Only the operator widens this, with
 * `httpTargetAllow` (`--http-target-allow`, `$JEFF_HTTP_TARGET_ALLOW`).
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";

/** The ranges no caller's HTTP target reaches unless the operator allows them, with their names. */
const reserved: readonly (readonly [string, number, string])[] = [
  ["0.0.0.0", 8, "an unspecified address"],
  ["10.0.0.0", 8, "a private address"],
  ["100.64.0.0", 10, "a shared (carrier-grade NAT) address"],
  ["127.0.0.0", 8, "a loopback address"],
  ["169.254.0.0", 16, "a link-local address"],
  ["172.16.0.0", 12, "a private address"],
  ["192.0.0.0", 24, "a reserved address"],
  ["192.168.0.0", 16, "a private address"],
  ["198.18.0.0", 15, "a benchmarking address"],
  ["224.0.0.0", 4, "a multicast address"],
  ["240.0.0.0", 4, "a reserved address"],
  // IPv6: `::/96` holds `::`, `::1` and the IPv4-compatible addresses; `::ffff:0:0/96` the
  // IPv4-mapped ones, whose IPv4 address may be any of the above.
  ["::", 96, "a loopback or unspecified address"],
  ["::ffff:0:0", 96, "an IPv4-mapped address"],
  ["64:ff9b:1::", 48, "a local NAT64 address"],
  ["fc00::", 7, "a unique local (private) address"],
  ["fe80::", 10, "a link-local address"],
  ["ff00::", 8, "a multicast address"],
];

const familyOf = (address: string): "ipv4" | "ipv6" => (isIP(address) === 6 ? "ipv6" : "ipv4");

interface Allowance {
  readonly list: BlockList;
  readonly port: number | undefined;
  readonly text: string;
}

/**
 * One entry of the operator's allow list: an address or a CIDR block, with a port or without:
 * `127.0.0.1:8080`, `10.0.0.0/8`, `192.168.1.5`, `[::1]:8080`, `fd00::/8`.
 */
export function parseAllowance(text: string): Allowance {
  let target = text;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) [, target = "", portText] = bracketed;
  else if (text.split(":").length === 2) [target = "", portText] = text.split(":");
  const [address = "", bitsText] = target.split("/");
  const version = isIP(address);
  const bits = bitsText === undefined ? (version === 6 ? 128 : 32) : Number(bitsText);
  const port = portText === undefined ? undefined : Number(portText);
  if (
    version === 0 ||
    !Number.isInteger(bits) ||
    bits < 0 ||
    bits > (version === 6 ? 128 : 32) ||
    (bitsText !== undefined && !/^\d+$/.test(bitsText)) ||
    (portText !== undefined && (!/^\d+$/.test(portText) || port! < 1 || port! > 65_535))
  ) {
    throw new Error(
      `'${text}' is not an address or CIDR block with an optional port (127.0.0.1:8080, 10.0.0.0/8, [::1]:8080)`,
    );
  }
  const list = new BlockList();
  list.addSubnet(address, bits, familyOf(address));
  return { list, port, text };
}

/** Why an address may not be reached: undefined when it may. */
export class OutboundPolicy {
  // Node's BlockList also matches IPv4 addresses against IPv4-mapped IPv6 rules: each address is
  // checked against its own family's rules only.
  readonly #reserved = reserved.map(([address, bits, name]) => {
    const list = new BlockList();
    list.addSubnet(address, bits, familyOf(address));
    return { list, name, family: familyOf(address) };
  });
  readonly #allowed: readonly Allowance[];

  constructor(allow: readonly string[] = []) {
    this.#allowed = allow.map(parseAllowance);
  }

  /** The reason `address:port` is refused, or undefined when Jeff may connect to it. */
  refusal(address: string, port: number): string | undefined {
    const family = familyOf(address);
    const hit = this.#reserved.find((range) => range.family === family && range.list.check(address, family));
    if (hit === undefined) return undefined;
    const allowed = this.#allowed.some(
      (entry) => entry.list.check(address, family) && (entry.port === undefined || entry.port === port),
    );
    return allowed ? undefined : hit.name;
  }
}

/** A refused address: the request was never sent. */
export class OutboundRefused extends Error {
  override readonly name = "OutboundRefused";
}

export interface OutboundRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs: number;
}

/** What came back (redirects are not followed): the status, and the body's first 64 KiB as text. */
export interface OutboundAnswer {
  readonly status: number;
  readonly body: string;
}

/** How much of an answer's body is kept: enough for a token, not for a flood. */
const bodyKeptBytes = 64 * 1024;

/**
 * Sends one request to `url` if the policy allows every address it connects to. Rejects with
 * OutboundRefused (never sent), a TimeoutError, or the connection's error.
 */
export function sendOutbound(
  policy: OutboundPolicy,
  url: URL,
  request: OutboundRequest,
): Promise<OutboundAnswer> {
  const secure = url.protocol === "https:";
  if (!secure && url.protocol !== "http:")
    return Promise.reject(new OutboundRefused(`${url.protocol} is not HTTP or HTTPS`));
  const port = url.port === "" ? (secure ? 443 : 80) : Number(url.port);
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  const refuse = (address: string, why: string) =>
    new OutboundRefused(
      `Jeff does not send to ${address} (${why}) unless the operator allows it with --http-target-allow.`,
    );
  // A literal address is connected to without a lookup: check it here.
  if (isIP(host) !== 0) {
    const why = policy.refusal(host, port);
    if (why !== undefined) return Promise.reject(refuse(host, why));
  }
  // A name: check what it resolves to, as it is connected to (no second resolution to race).
  const lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      const usable = addresses.filter(({ address }) => policy.refusal(address, port) === undefined);
      if (usable.length === 0) {
        const first = addresses[0];
        const failure = refuse(first?.address ?? hostname, policy.refusal(first?.address ?? "", port) ?? "");
        return callback(failure as NodeJS.ErrnoException, "", 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      callback(null, usable[0]!.address, usable[0]!.family);
    });
  };
  return new Promise<OutboundAnswer>((resolve, reject) => {
    const send = secure ? httpsRequest : httpRequest;
    const outgoing = send(url, {
      method: request.method,
      headers: {
        ...request.headers,
        ...(request.body !== undefined ? { "content-length": String(Buffer.byteLength(request.body)) } : {}),
      },
      lookup,
      agent: false,
    });
    const timer = setTimeout(() => {
      const timedOut = new Error(`No answer within ${request.timeoutMs} ms`);
      timedOut.name = "TimeoutError";
      outgoing.destroy(timedOut);
    }, request.timeoutMs);
    outgoing.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    outgoing.on("response", (response: IncomingMessage) => {
      const kept: Buffer[] = [];
      let keptBytes = 0;
      response.on("data", (chunk: Buffer) => {
        if (keptBytes >= bodyKeptBytes) return;
        kept.push(chunk);
        keptBytes += chunk.length;
      });
      response.on("end", () => {
        clearTimeout(timer);
        const body = Buffer.concat(kept).subarray(0, bodyKeptBytes).toString("utf8");
        resolve({ status: response.statusCode ?? 0, body });
      });
      response.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    outgoing.end(request.body);
  });
}
