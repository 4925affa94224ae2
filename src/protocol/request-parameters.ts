/**
 * A call's request parameters as one object, whatever the wire protocol: what the audit trail
 * records and what resource rules read. JSON protocols already have it; the query protocol's flat
 * `A.member.1.B` form and a REST request's path, query and body are brought to the same shape.
 */
import type { RestRequest } from "./service.js";

type Tree = Record<string, unknown>;

/** `Tags.member.1.Key=a` → `{ Tags: [{ Key: "a" }] }`; `Action` and `Version` are not parameters. */
function fromQuery(params: Readonly<Record<string, string>>): Tree {
  const root: Tree = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === "Action" || key === "Version") continue;
    const path = key.split(".").filter((part) => part !== "member" && part !== "entry");
    let node: Tree = root;
    for (const [index, part] of path.entries()) {
      const last = index === path.length - 1;
      const next = path[index + 1];
      const slot = /^\d+$/.test(part) ? String(Number(part) - 1) : part;
      if (last) {
        node[slot] = value;
        break;
      }
      const existing = node[slot];
      if (existing === null || typeof existing !== "object") {
        node[slot] = next !== undefined && /^\d+$/.test(next) ? [] : {};
      }
      node = node[slot] as Tree;
    }
  }
  return root;
}

/**
 * The path parameters, the query string and the JSON body's members together; a route whose body
 * is a payload (Lambda's `Invoke`) names the member that holds it instead.
 */
function fromRest(req: RestRequest, payloadMember?: string): Tree {
  const params: Tree = { ...req.pathParams };
  for (const [key, value] of req.query) params[key] = value;
  if (req.body.length === 0) return params;
  if (payloadMember !== undefined) {
    params[payloadMember] = req.body.toString("utf8");
    return params;
  }
  try {
    const body: unknown = JSON.parse(req.body.toString("utf8"));
    if (body !== null && typeof body === "object" && !Array.isArray(body)) Object.assign(params, body);
  } catch {
    // A body that is not JSON is the handler's to refuse; the record keeps what could be read.
  }
  return params;
}

export const requestParameters = { fromQuery, fromRest } as const;
