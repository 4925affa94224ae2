/**
 * Remembers a pure function's results for the strings clients repeat on every request (the
 * credential scope, the signed-header list, the second's timestamp, the path). Bounded, because
 * the inputs are caller-controlled: when full it starts over. Throws are not remembered.
 */
export function boundedMemo<T>(compute: (key: string) => T, capacity = 1024): (key: string) => T {
  const results = new Map<string, T>();
  return (key) => {
    const hit = results.get(key);
    if (hit !== undefined) return hit;
    const value = compute(key);
    if (results.size >= capacity) results.clear();
    results.set(key, value);
    return value;
  };
}
