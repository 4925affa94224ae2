/**
 * `jeff nodes [--json]`: the Jeff nodes on this store — each one's URL, whether its heartbeat is
 * recent, and the background jobs it holds — as the running server lists them.
 */
import { request } from "node:http";
import type { NodeEntry } from "../../queue/index.js";
import { targetFor } from "../deployer.js";
import { CliError, createOutput } from "../output.js";
import { dataDirFor } from "../project.js";
import { signedRouteRequest } from "../signed-route.js";

export async function runNodes(flags: { dataDir?: string; json?: boolean }): Promise<void> {
  const out = createOutput(flags.json === true);
  const target = await targetFor(dataDirFor(process.cwd(), flags.dataDir));
  const { url, headers } = await signedRouteRequest(target, "/_jeff/nodes");
  const body = await new Promise<string>((resolve, reject) => {
    request(url, { method: "GET", headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () =>
        res.statusCode === 200
          ? resolve(text)
          : reject(new CliError(`the server answered ${res.statusCode}: ${text}`)),
      );
      res.on("error", reject);
    })
      .on("error", reject)
      .end();
  });
  const { node, nodes } = JSON.parse(body) as { node: string; nodes: NodeEntry[] };
  const lines = nodes.map((entry) => {
    const holds = Object.entries(entry.holds)
      .map(([kind, count]) => `${count} ${kind}`)
      .join(", ");
    return [
      entry.nodeId === node ? "*" : " ",
      entry.nodeId,
      entry.live ? "up  " : "silent",
      entry.url,
      `${entry.host} pid ${entry.pid}`,
      `since ${entry.startedAt}`,
      `heartbeat ${entry.heartbeatAt}`,
      holds === "" ? "holds nothing" : `holds ${holds}`,
    ].join("  ");
  });
  out.result(lines.join("\n"), { node, nodes });
}
