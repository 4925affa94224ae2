/**
 * Ordering logical ids by what they depend on. The order is deterministic: among the nodes that are
 * ready at any step, the one listed first (template order) goes first, so the same template always
 * deploys in the same order. Cycles are reported as the sets of their members (strongly connected
 * components), each in template order, so an error can name every member.
 */

export interface GraphNode {
  readonly id: string;
  /** Ids this node needs first; ids that are not nodes of the graph are ignored. */
  readonly dependsOn: readonly string[];
}

export type TopologicalOrder = { ok: true; order: string[] } | { ok: false; cycles: string[][] };

export function topologicalOrder(nodes: readonly GraphNode[]): TopologicalOrder {
  const index = new Map(nodes.map((node, i) => [node.id, i]));
  const waitingOn = nodes.map(() => 0);
  const dependents: number[][] = nodes.map(() => []);
  nodes.forEach((node, i) => {
    for (const dependency of new Set(node.dependsOn)) {
      const j = index.get(dependency);
      if (j === undefined) continue;
      waitingOn[i]! += 1;
      dependents[j]!.push(i);
    }
  });
  // A sorted list of ready indices; graphs here are at most a few hundred nodes.
  const ready = waitingOn.flatMap((count, i) => (count === 0 ? [i] : []));
  const order: string[] = [];
  while (ready.length > 0) {
    const next = ready.shift()!;
    order.push(nodes[next]!.id);
    for (const dependent of dependents[next]!) {
      waitingOn[dependent]! -= 1;
      if (waitingOn[dependent] === 0) insertSorted(ready, dependent);
    }
  }
  if (order.length === nodes.length) return { ok: true, order };
  return { ok: false, cycles: findCycles(nodes) };
}

function insertSorted(list: number[], value: number): void {
  let at = list.findIndex((item) => item > value);
  if (at === -1) at = list.length;
  list.splice(at, 0, value);
}

/** The order to delete in: everything that depends on a node goes before it. */
export function deletionOrder(nodes: readonly GraphNode[]): TopologicalOrder {
  const result = topologicalOrder(nodes);
  return result.ok ? { ok: true, order: [...result.order].reverse() } : result;
}

/** Every cycle: components of two or more nodes, and nodes that depend on themselves. */
export function findCycles(nodes: readonly GraphNode[]): string[][] {
  const index = new Map(nodes.map((node, i) => [node.id, i]));
  const edges = nodes.map((node) =>
    [...new Set(node.dependsOn)].flatMap((d) => (index.has(d) ? [index.get(d)!] : [])),
  );
  // Tarjan's strongly connected components, iterative so deep chains cannot overflow the stack.
  const order = nodes.map(() => -1);
  const low = nodes.map(() => 0);
  const onStack = nodes.map(() => false);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (let root = 0; root < nodes.length; root += 1) {
    if (order[root] !== -1) continue;
    const work: Array<{ node: number; edge: number }> = [{ node: root, edge: 0 }];
    order[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const targets = edges[frame.node]!;
      if (frame.edge < targets.length) {
        const target = targets[frame.edge++]!;
        if (order[target] === -1) {
          order[target] = low[target] = counter++;
          stack.push(target);
          onStack[target] = true;
          work.push({ node: target, edge: 0 });
        } else if (onStack[target]) {
          low[frame.node] = Math.min(low[frame.node]!, order[target]!);
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low[parent.node] = Math.min(low[parent.node]!, low[frame.node]!);
      if (low[frame.node] === order[frame.node]) {
        const component: number[] = [];
        let member: number;
        do {
          member = stack.pop()!;
          onStack[member] = false;
          component.push(member);
        } while (member !== frame.node);
        components.push(component);
      }
    }
  }
  return components
    .filter((component) => component.length > 1 || edges[component[0]!]!.includes(component[0]!))
    .map((component) => component.sort((a, b) => a - b))
    .sort((a, b) => a[0]! - b[0]!)
    .map((component) => component.map((i) => nodes[i]!.id));
}
