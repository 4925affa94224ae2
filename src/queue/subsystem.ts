/**
 * The queue in the server: its schema, and the nodes on the store. The server makes the one
 * `WorkQueue` itself (every subsystem registers its kinds of work on it); this entry carries the
 * migrations and keeps this node registered with a heartbeat, so that `/_jeff/health`,
 * `/_jeff/nodes` and `jeff nodes` can say which nodes are up and what each holds.
 */
import type { SignedRoute } from "../protocol/index.js";
import type { Subsystem } from "../server/subsystem.js";
import {
  beat,
  deregisterNode,
  heartbeatMs,
  listNodes,
  type NodeEntry,
  nodeMigrations,
  registerNode,
} from "./nodes.js";
import { queueMigrations } from "./queue-schema.js";

export const queueSubsystem: Subsystem = {
  name: "queue",
  migrations: [...queueMigrations, ...nodeMigrations],
  open: ({ store, queue, logger }) => {
    const nodeId = queue.nodeId;
    let known: NodeEntry[] = [];
    let timer: NodeJS.Timeout | undefined;
    const refresh = async () => {
      await beat(store, nodeId);
      known = await listNodes(store);
    };
    const route: SignedRoute = (req, res) => {
      if (req.method !== "GET") {
        res.writeHead(405, { allow: "GET" }).end();
        return;
      }
      listNodes(store).then(
        (nodes) => {
          known = nodes;
          res
            .writeHead(200, { "content-type": "application/json" })
            .end(JSON.stringify({ node: nodeId, nodes }));
        },
        (error: unknown) => {
          logger.error("could not list the nodes", { error });
          res
            .writeHead(500, { "content-type": "application/json" })
            .end(JSON.stringify({ __type: "ServiceException", message: "could not list the nodes" }));
        },
      );
    };
    return {
      signedRoutes: { "/_jeff/nodes": route },
      health: () => ({
        node: nodeId,
        nodes: known.map(({ nodeId: id, url, live, holds }) => ({ nodeId: id, url, live, holds })),
      }),
      start: async (endpoint) => {
        await registerNode(store, nodeId, endpoint);
        known = await listNodes(store);
        timer = setInterval(() => {
          refresh().catch((error: unknown) =>
            logger.warn("could not record this node's heartbeat", { error }),
          );
        }, heartbeatMs);
        timer.unref();
      },
      stop: async () => {
        clearInterval(timer);
        await deregisterNode(store, nodeId).catch(() => undefined);
      },
    };
  },
};
