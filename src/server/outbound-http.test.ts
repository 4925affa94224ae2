import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OutboundPolicy, OutboundRefused, parseAllowance, sendOutbound } from "./outbound-http.js";

let server: Server;
let port: number;
let received = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    received += 1;
    req.resume();
    res.statusCode = 204;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const post = (policy: OutboundPolicy, url: string) =>
  sendOutbound(policy, new URL(url), { method: "POST", headers: {}, body: "{}", timeoutMs: 5_000 });

describe("HTTP sent on a caller's behalf", () => {
  it("refuses loopback by address, by name and as an IPv4-mapped IPv6 address, sending nothing", async () => {
    const policy = new OutboundPolicy();
    const before = received;
    for (const url of [
      `http://127.0.0.1:${port}/`,
      `http://localhost:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      `http://[::1]:${port}/`,
      `http://0.0.0.0:${port}/`,
    ]) {
      await expect(post(policy, url), url).rejects.toBeInstanceOf(OutboundRefused);
    }
    expect(received).toBe(before);
  });

  it("names the address and the operator's option in its refusal", async () => {
    await expect(post(new OutboundPolicy(), "http://169.254.169.254/latest/meta-data/")).rejects.toThrow(
      "Jeff does not send to 169.254.169.254 (a link-local address) unless the operator allows it with --http-target-allow.",
    );
    await expect(post(new OutboundPolicy(), "http://10.1.2.3/")).rejects.toThrow("a private address");
    await expect(post(new OutboundPolicy(), "http://[fd00::1]/")).rejects.toThrow("a unique local");
  });

  it("sends where the operator allowed, and only to the port allowed", async () => {
    const before = received;
    await expect(
      post(new OutboundPolicy([`127.0.0.1:${port}`]), `http://127.0.0.1:${port}/`),
    ).resolves.toEqual({
      status: 204,
      body: "",
    });
    await expect(post(new OutboundPolicy(["127.0.0.0/8"]), `http://localhost:${port}/`)).resolves.toEqual({
      status: 204,
      body: "",
    });
    expect(received).toBe(before + 2);
    await expect(
      post(
        new OutboundPolicy([`127.0.0.1:${port + 1 > 65_535 ? 1 : port + 1}`]),
        `http://127.0.0.1:${port}/`,
      ),
    ).rejects.toBeInstanceOf(OutboundRefused);
  });

  it("refuses loopback however the URL spells it, and IPv4 carried in IPv6", async () => {
    const policy = new OutboundPolicy();
    for (const url of [
      `http://0x7f.1:${port}/`,
      `http://2130706433:${port}/`,
      `http://127.1:${port}/`,
      `http://0177.0.0.1:${port}/`,
    ])
      await expect(post(policy, url), url).rejects.toBeInstanceOf(OutboundRefused);
    expect(policy.refusal("64:ff9b::7f00:1", 80)).toBe("a loopback address");
    expect(policy.refusal("64:ff9b::a00:1", 80)).toBe("a private address");
    expect(policy.refusal("2002:a9fe:a9fe::", 80)).toBe("a link-local address");
    expect(policy.refusal("fec0::1", 80)).toBe("a site-local address");
    expect(policy.refusal("64:ff9b::5db8:d822", 80)).toBeUndefined();
  });

  it("refuses this machine's own addresses, whatever network they are on", () => {
    const policy = new OutboundPolicy();
    const own = Object.values(networkInterfaces())
      .flat()
      .filter((entry) => entry !== undefined)
      .map((entry) => entry!.address);
    expect(own.length).toBeGreaterThan(0);
    for (const address of own) expect(policy.refusal(address, 5432), address).toBeDefined();
  });

  it("does not say which address a refused name resolved to", async () => {
    const refused = await post(new OutboundPolicy(), `http://localhost:${port}/`).catch(
      (error: Error) => error,
    );
    expect((refused as Error).message).toBe(
      "Jeff does not send to localhost: it resolves to a loopback address, unless the operator allows it with --http-target-allow.",
    );
  });

  it("takes only the status line of a target's answer, however long its body goes on", async () => {
    const endless = createServer((_req, res) => {
      res.writeHead(200);
      const more = () => res.write("x".repeat(65_536), () => setImmediate(more));
      more();
    });
    await new Promise<void>((resolve) => endless.listen(0, "127.0.0.1", () => resolve()));
    try {
      const at = `127.0.0.1:${(endless.address() as AddressInfo).port}`;
      const policy = new OutboundPolicy([at]);
      await expect(post(policy, `http://${at}/`)).resolves.toEqual({ status: 200, body: "" });
      const read = await sendOutbound(policy, new URL(`http://${at}/`), {
        method: "GET",
        headers: {},
        timeoutMs: 5_000,
        readBody: true,
      });
      expect(read.body.length).toBe(64 * 1024);
    } finally {
      endless.closeAllConnections();
      await new Promise<void>((resolve) => endless.close(() => resolve()));
    }
  });

  it("refuses a request Node cannot send as written, rather than failing it again and again", async () => {
    const policy = new OutboundPolicy([`127.0.0.1:${port}`]);
    const refused = sendOutbound(policy, new URL(`http://127.0.0.1:${port}/`), {
      method: "POST",
      headers: { "x-api-key": "ā\n" },
      timeoutMs: 5_000,
    });
    await expect(refused).rejects.toBeInstanceOf(OutboundRefused);
  });

  it("leaves public addresses alone", () => {
    const policy = new OutboundPolicy();
    expect(policy.refusal("93.184.216.34", 443)).toBeUndefined();
    expect(policy.refusal("2606:2800:220:1:248:1893:25c8:1946", 443)).toBeUndefined();
    expect(policy.refusal("172.32.0.1", 80)).toBeUndefined();
    expect(policy.refusal("172.31.255.255", 80)).toBe("a private address");
    expect(policy.refusal("100.64.0.1", 80)).toBe("a shared (carrier-grade NAT) address");
  });

  it("refuses protocols other than HTTP and HTTPS", async () => {
    await expect(post(new OutboundPolicy(), "file:///etc/passwd")).rejects.toBeInstanceOf(OutboundRefused);
  });

  it("reads the operator's entries, refusing what is not an address", () => {
    for (const good of [
      "127.0.0.1",
      "127.0.0.1:8080",
      "10.0.0.0/8",
      "[::1]:8080",
      "fd00::/8",
      "[fd00::/8]:443",
      "::1",
    ])
      expect(() => parseAllowance(good), good).not.toThrow();
    for (const bad of ["localhost", "127.0.0.1:0", "10.0.0.0/33", "127.0.0.1:http", "[::1]:99999", ""])
      expect(() => parseAllowance(bad), bad).toThrow("is not an address or CIDR block");
  });
});
