/**
 * `Fn::Cidr` arithmetic: split an address block into `count` consecutive subnets that each keep
 * `cidrBits` host bits (so IPv4 `cidrBits` 5 gives /27s). IPv4 and IPv6 both go through one BigInt
 * path; IPv6 results are written in RFC 5952 form (lowercase, longest zero run compressed).
 */

interface ParsedBlock {
  readonly version: 4 | 6;
  readonly address: bigint;
  readonly prefix: number;
}

function parseIpv4(text: string): bigint | undefined {
  const octets = text.split(".");
  if (octets.length !== 4) return undefined;
  let value = 0n;
  for (const octet of octets) {
    if (!/^\d{1,3}$/.test(octet)) return undefined;
    const n = Number(octet);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): string[] => (part === "" ? [] : part.split(":"));
  const head = groupsOf(halves[0] ?? "");
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? "") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  }
  return value;
}

function parseBlock(block: string): ParsedBlock | undefined {
  const slash = block.indexOf("/");
  if (slash === -1) return undefined;
  const addressText = block.slice(0, slash);
  const prefixText = block.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const v4 = parseIpv4(addressText);
  if (v4 !== undefined) return prefix <= 32 ? { version: 4, address: v4, prefix } : undefined;
  const v6 = parseIpv6(addressText);
  if (v6 !== undefined) return prefix <= 128 ? { version: 6, address: v6, prefix } : undefined;
  return undefined;
}

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
}

function formatIpv6(value: bigint): string {
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  // Find the longest run of two or more zero groups; the first wins a tie (RFC 5952 §4.2).
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j += 1;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

export type CidrResult = { ok: true; blocks: string[] } | { ok: false; message: string };

export function cidrSubnets(ipBlock: string, count: number, cidrBits: number): CidrResult {
  const block = parseBlock(ipBlock);
  if (block === undefined) return { ok: false, message: `Fn::Cidr: ${ipBlock} is not a valid CIDR block` };
  const width = block.version === 4 ? 32 : 128;
  if (!Number.isInteger(count) || count < 1 || count > 256) {
    return { ok: false, message: "Fn::Cidr: the count must be an integer from 1 to 256" };
  }
  if (!Number.isInteger(cidrBits) || cidrBits < 1 || cidrBits > width) {
    return { ok: false, message: `Fn::Cidr: cidrBits must be an integer from 1 to ${width}` };
  }
  const subnetPrefix = width - cidrBits;
  if (subnetPrefix < block.prefix) {
    return {
      ok: false,
      message: `Fn::Cidr: cidrBits ${cidrBits} leaves a /${subnetPrefix} subnet, larger than the /${block.prefix} block`,
    };
  }
  const available = 1n << BigInt(subnetPrefix - block.prefix);
  if (BigInt(count) > available) {
    return { ok: false, message: `Fn::Cidr: ${ipBlock} holds only ${available} subnets of /${subnetPrefix}` };
  }
  const hostBits = BigInt(width - block.prefix);
  const network = (block.address >> hostBits) << hostBits;
  const step = 1n << BigInt(cidrBits);
  const format = block.version === 4 ? formatIpv4 : formatIpv6;
  const blocks: string[] = [];
  for (let i = 0n; i < BigInt(count); i += 1n) blocks.push(`${format(network + i * step)}/${subnetPrefix}`);
  return { ok: true, blocks };
}
