/**
 * The nodes on one store: each running Jeff registers itself with its URL and beats a heartbeat, so
 * that any node (and `jeff nodes`) can say who is up and what each holds. A node whose heartbeat is
 * older than `nodeSilenceMs` is listed as silent; the jobs it held are taken over by the others
 * when their leases end (each kind's `leaseMs`), heartbeat or not, since the lease is what fences
 * them.
 */
import { hostname } from "node:os";
import type { SqlExecutor } from "../store/index.js";

/** How often a node records that it is alive. */
export const heartbeatMs = 5_000;
/** A node silent this long is listed as down. */
export const nodeSilenceMs = 3 * heartbeatMs;

export const nodeMigrations = [
  {
    id: 601,
    name: "nodes and their heartbeats",
    up: `
      CREATE TABLE jeff_nodes (
        node_id TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        host TEXT NOT NULL,
        pid BIGINT NOT NULL,
        started_at BIGINT NOT NULL,
        heartbeat_at BIGINT NOT NULL
      );
    `,
  },
] as const;

export interface NodeEntry {
  readonly nodeId: string;
  readonly url: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly heartbeatAt: string;
  /** Up: its heartbeat is recent. */
  readonly live: boolean;
  /** Jobs it holds now, by kind. */
  readonly holds: Readonly<Record<string, number>>;
}

/** Records this node (again, after a restart) as up at `url`. */
export async function registerNode(
  db: SqlExecutor,
  nodeId: string,
  url: string,
  now = Date.now(),
): Promise<void> {
  await db.run(
    `INSERT INTO jeff_nodes (node_id, url, host, pid, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (node_id) DO UPDATE SET url = excluded.url, host = excluded.host, pid = excluded.pid,
       started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at`,
    [nodeId, url, hostname(), process.pid, now, now],
  );
}

export async function beat(db: SqlExecutor, nodeId: string, now = Date.now()): Promise<void> {
  await db.run("UPDATE jeff_nodes SET heartbeat_at = ? WHERE node_id = ?", [now, nodeId]);
}

/** Removes this node from the list as it stops cleanly. */
export async function deregisterNode(db: SqlExecutor, nodeId: string): Promise<void> {
  await db.run("DELETE FROM jeff_nodes WHERE node_id = ?", [nodeId]);
}

/** Every registered node, newest first, with what each holds. */
export async function listNodes(db: SqlExecutor, now = Date.now()): Promise<NodeEntry[]> {
  const nodes = await db.all<{
    node_id: string;
    url: string;
    host: string;
    pid: number;
    started_at: number;
    heartbeat_at: number;
  }>(
    "SELECT node_id, url, host, pid, started_at, heartbeat_at FROM jeff_nodes ORDER BY started_at DESC, node_id",
  );
  const held = await db.all<{ lease_owner: string; kind: string; n: number }>(
    `SELECT lease_owner, kind, COUNT(*) AS n FROM queue_jobs
     WHERE state = 'running' AND lease_owner IS NOT NULL GROUP BY lease_owner, kind`,
  );
  return nodes.map((node) => ({
    nodeId: node.node_id,
    url: node.url,
    host: node.host,
    pid: Number(node.pid),
    startedAt: new Date(Number(node.started_at)).toISOString(),
    heartbeatAt: new Date(Number(node.heartbeat_at)).toISOString(),
    live: now - Number(node.heartbeat_at) < nodeSilenceMs,
    holds: Object.fromEntries(
      held.filter((row) => row.lease_owner === node.node_id).map((row) => [row.kind, Number(row.n)]),
    ),
  }));
}
