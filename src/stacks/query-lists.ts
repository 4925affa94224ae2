/** awsQuery's flattened lists: `Parameters.member.1.ParameterKey=…` back into arrays of records. */

/** Members of `Prefix.member.N.Field` (or `Prefix.member.N` for scalar lists) in index order. */
export function readMemberList(
  params: Readonly<Record<string, string>>,
  prefix: string,
): Array<Record<string, string>> {
  const byIndex = new Map<number, Record<string, string>>();
  const head = `${prefix}.member.`;
  for (const [key, value] of Object.entries(params)) {
    if (!key.startsWith(head)) continue;
    const rest = key.slice(head.length);
    const dot = rest.indexOf(".");
    const index = Number(dot === -1 ? rest : rest.slice(0, dot));
    if (!Number.isInteger(index) || index < 1) continue;
    const entry = byIndex.get(index) ?? {};
    entry[dot === -1 ? "" : rest.slice(dot + 1)] = value;
    byIndex.set(index, entry);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry);
}
