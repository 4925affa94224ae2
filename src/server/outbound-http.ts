/**
 * HTTP requests Jeff sends to an address a caller chose: API destinations and their connections'
 * OAuth token endpoints, later workflow HTTP tasks. Whoever holds access keys chooses that address — a
 * function among them, with its role's credentials — so Jeff's own process must not become the way
 * around the sandbox's network: loopback (the store's PostgreSQL, Redis, other environments'
 * Runtime APIs), link-local (cloud metadata services), private networks, the host's own addresses
 * and the like are refused, IPv4 carried inside IPv6 (mapped, NAT64, 6to4) judged as IPv4.
 * The address checked is the one connected to, after DNS resolution, so a name that resolves to
 * loopback (or re-resolves there later) is refused too. Only the operator widens this, with
 * `httpTargetAllow` (`--http-target-allow`, `$JEFF_HTTP_TARGET_ALLOW`).
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { networkInterfaces } from "node:os";

/** The ranges no caller's HTTP target reaches unless the operator allows them, with their names. */
const reserved: readonly (readonly [string, number, string])[] = [
  ["0.0.0.0", 8, "an unspecified address"],
  ["10.0.0.0", 8, "a private address"],
  ["100.64.0.0", 10, "a shared (carrier-grade NAT) address"],
  ["127.0.0.0", 8, "a loopback address"],
  ["169.254.0.0", 16, "a link-local address"],
  ["172.16.0.0", 12, "a private address"],
  ["192.0.0.0", 24, "a reserved address"],
  ["192.0.2.0", 24, "a documentation address"],
  ["198.51.100.0", 24, "a documentation address"],
  ["203.0.113.0", 24, "a documentation address"],
  ["192.168.0.0", 16, "a private address"],
  ["198.18.0.0", 15, "a benchmarking address"],
  ["224.0.0.0", 4, "a multicast address"],
  ["240.0.0.0", 4, "a reserved address"],
  // IPv6: `::/96` holds `::`, `::1` and the IPv4-compatible addresses; `::ffff:0:0/96` the
  // IPv4-mapped ones, whose IPv4 address may be any of the above.
  ["::", 96, "a loopback or unspecified address"],
  ["::ffff:0:0", 96, "an IPv4-mapped address"],
  ["64:ff9b:1::", 48, "a local NAT64 address"],
  ["2001:db8::", 32, "a documentation address"],
  ["fc00::", 7, "a unique local (private) address"],
  ["fe80::", 10, "a link-local address"],
  ["fec0::", 10, "a site-local address"],
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
    const carried = family === "ipv6" ? carriedIpv4(address) : undefined;
    const name =
      (carried !== undefined ? this.#reservedName(carried, "ipv4") : undefined) ??
      this.#reservedName(address, family) ??
      (hostAddresses().has(canonical(address)) ? "this machine's own address" : undefined);
    if (name === undefined) return undefined;
    const allowed = this.#allowed.some(
      (entry) => entry.list.check(address, family) && (entry.port === undefined || entry.port === port),
    );
    return allowed ? undefined : name;
  }

  #reservedName(address: string, family: "ipv4" | "ipv6"): string | undefined {
    return this.#reserved.find((range) => range.family === family && range.list.check(address, family))?.name;
  }
}

/** The IPv4 address an IPv6 one carries through NAT64 (`64:ff9b::/96`) or 6to4 (`2002::/16`). */
function carriedIpv4(address: string): string | undefined {
  const groups = expandIpv6(address);
  if (groups === undefined) return undefined;
  const ipv4 = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  if (groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0))
    return ipv4(groups[6]!, groups[7]!);
  if (groups[0] === 0x2002) return ipv4(groups[1]!, groups[2]!);
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part included). */
function expandIpv6(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return undefined;
  return [...left, ...Array<string>(missing).fill("0"), ...right].map((group) => Number.parseInt(group, 16));
}

/** An address in one spelling, so that the host's own addresses can be looked up. */
const canonical = (address: string): string =>
  isIP(address) === 6 ? (expandIpv6(address) ?? []).map((g) => g.toString(16)).join(":") : address;

/** The host's own addresses (every interface's), read again at most every ten seconds. */
let hostAddressCache: { readonly at: number; readonly addresses: ReadonlySet<string> } | undefined;
function hostAddresses(now = Date.now()): ReadonlySet<string> {
  if (hostAddressCache === undefined || now - hostAddressCache.at > 10_000) {
    const addresses = new Set<string>();
    for (const list of Object.values(networkInterfaces()))
      for (const entry of list ?? []) addresses.add(canonical(entry.address.split("%")[0]!));
    hostAddressCache = { at: now, addresses };
  }
  return hostAddressCache.addresses;
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
  /** Keep the answer's body (its first 64 KiB): a token endpoint's. Else the status line is enough. */
  readonly readBody?: boolean;
}

/** What came back (redirects are not followed): the status, and with `readBody` the body's start. */
export interface OutboundAnswer {
  readonly status: number;
  readonly body: string;
}

/** How much of an answer's body is kept: enough for a token, not for a flood. */
const bodyKeptBytes = 64 * 1024;

/**
 * Name lookups in flight at once. `dns.lookup` holds one of libuv's four threads until the
 * resolver answers, and a request's timeout cannot cancel it: names whose DNS hangs must not take
 * the threads Jeff's files, hashes and zlib need.
 */
const lookupsAtOnce = 2;
let lookupsRunning = 0;
const lookupsWaiting: (() => void)[] = [];

function limitedLookup(
  hostname: string,
  done: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) {
  const run = () => {
    lookupsRunning++;
    dnsLookup(hostname, { all: true }, (error, addresses) => {
      lookupsRunning--;
      lookupsWaiting.shift()?.();
      done(error, addresses);
    });
  };
  if (lookupsRunning < lookupsAtOnce) run();
  else lookupsWaiting.push(run);
}

/** Errors of a request that could never be sent as it is (a header Node refuses): no retry helps. */
const unsendable = (error: unknown) =>
  error instanceof TypeError || String((error as { code?: unknown }).code ?? "").startsWith("ERR_INVALID");

/**
 * Sends one request to `url` if the policy allows every address it connects to. Rejects with
 * OutboundRefused (never sent, and sending again would not help), a TimeoutError, or the
 * connection's error.
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
  const allowIt = "unless the operator allows it with --http-target-allow.";
  // A literal address is connected to without a lookup: check it here.
  if (isIP(host) !== 0) {
    const why = policy.refusal(host, port);
    if (why !== undefined)
      return Promise.reject(new OutboundRefused(`Jeff does not send to ${host} (${why}) ${allowIt}`));
  }
  // A name: check what it resolves to, as it is connected to (no second resolution to race). The
  // refusal does not say which address a name resolved to: a caller must not map internal names.
  const lookup: LookupFunction = (hostname, options, callback) => {
    limitedLookup(hostname, (error, addresses) => {
      if (error) return callback(error, "", 0);
      const usable = addresses.filter(({ address }) => policy.refusal(address, port) === undefined);
      if (usable.length === 0) {
        const why = policy.refusal(addresses[0]?.address ?? "", port) ?? "an address Jeff does not send to";
        const refused = new OutboundRefused(
          `Jeff does not send to ${hostname}: it resolves to ${why}, ${allowIt}`,
        );
        return callback(refused as NodeJS.ErrnoException, "", 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      callback(null, usable[0]!.address, usable[0]!.family);
    });
  };
  return new Promise<OutboundAnswer>((resolve, reject) => {
    const send = secure ? httpsRequest : httpRequest;
    let outgoing: ReturnType<typeof send>;
    try {
      outgoing = send(url, {
        method: request.method,
        headers: {
          ...request.headers,
          ...(request.body !== undefined
            ? { "content-length": String(Buffer.byteLength(request.body)) }
            : {}),
        },
        lookup,
        agent: false,
      });
    } catch (error) {
      reject(
        unsendable(error)
          ? new OutboundRefused(`The request cannot be sent: ${(error as Error).message}`)
          : error,
      );
      return;
    }
    const timer = setTimeout(() => {
      const timedOut = new Error(`No answer within ${request.timeoutMs} ms`);
      timedOut.name = "TimeoutError";
      outgoing.destroy(timedOut);
    }, request.timeoutMs);
    outgoing.on("error", (error) => {
      clearTimeout(timer);
      reject(unsendable(error) ? new OutboundRefused(`The request cannot be sent: ${error.message}`) : error);
    });
    outgoing.on("response", (response: IncomingMessage) => {
      const status = response.statusCode ?? 0;
      // A target's answer is its status: its body, however long, is not waited for.
      if (request.readBody !== true) {
        clearTimeout(timer);
        response.destroy();
        resolve({ status, body: "" });
        return;
      }
      const kept: Buffer[] = [];
      let keptBytes = 0;
      const finish = () => {
        clearTimeout(timer);
        resolve({ status, body: Buffer.concat(kept).subarray(0, bodyKeptBytes).toString("utf8") });
      };
      response.on("data", (chunk: Buffer) => {
        kept.push(chunk);
        keptBytes += chunk.length;
        if (keptBytes >= bodyKeptBytes) {
          response.destroy();
          finish();
        }
      });
      response.on("end", finish);
      response.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    outgoing.end(request.body);
  });
}
