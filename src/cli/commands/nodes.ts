/**
 * `jeff nodes [--json]`: the Jeff nodes on this store — each one's URL, whether its heartbeat is
 * recent, and the background jobs it holds — as the running server lists them.
 */
import type { NodeEntry } from "../../queue/index.js";
import { targetOf } from "../deployer.js";
import { createOutput } from "../output.js";
import { callSignedRoute } from "../signed-route.js";

export async function runNodes(flags: {
  dataDir?: string;
  endpoint?: string;
  json?: boolean;
}): Promise<void> {
  const out = createOutput(flags.json === true);
  const target = await targetOf(flags);
  const body = await callSignedRoute(target, "/_jeff/nodes");
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
