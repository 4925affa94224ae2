import { describe, expect, it } from "vitest";
import { cidrSubnets } from "./cidr.js";

describe("cidrSubnets", () => {
  it.each<[string, number, number, string[]]>([
    [
      "192.168.0.0/24",
      6,
      5,
      [
        "192.168.0.0/27",
        "192.168.0.32/27",
        "192.168.0.64/27",
        "192.168.0.96/27",
        "192.168.0.128/27",
        "192.168.0.160/27",
      ],
    ],
    ["10.0.0.0/16", 2, 8, ["10.0.0.0/24", "10.0.1.0/24"]],
    ["10.0.5.7/16", 1, 8, ["10.0.0.0/24"]],
    ["10.0.0.0/24", 1, 8, ["10.0.0.0/24"]],
    ["2001:db8::/56", 2, 64, ["2001:db8::/64", "2001:db8:0:1::/64"]],
    ["2001:DB8:0:0:1::/80", 2, 32, ["2001:db8:0:0:1::/96", "2001:db8::1:1:0:0/96"]],
    ["::/0", 1, 127, ["::/1"]],
  ])("%s, %i subnets keeping %i host bits", (block, count, bits, expected) => {
    expect(cidrSubnets(block, count, bits)).toEqual({ ok: true, blocks: expected });
  });

  it.each<[string, number, number, RegExp]>([
    ["10.0.0.0", 1, 8, /not a valid CIDR block/],
    ["10.0.0.256/24", 1, 8, /not a valid CIDR block/],
    ["10.0.0.0/33", 1, 8, /not a valid CIDR block/],
    ["2001:db8::1::/64", 1, 8, /not a valid CIDR block/],
    ["10.0.0.0/24", 0, 4, /count must be an integer from 1 to 256/],
    ["10.0.0.0/24", 257, 4, /count must be an integer from 1 to 256/],
    ["10.0.0.0/24", 1, 9, /larger than the \/24 block/],
    ["10.0.0.0/24", 5, 6, /holds only 4 subnets of \/26/],
    ["10.0.0.0/24", 1, 33, /cidrBits must be an integer from 1 to 32/],
  ])("rejects %s, %i, %i", (block, count, bits, message) => {
    const result = cidrSubnets(block, count, bits);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});
