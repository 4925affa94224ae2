// test_events.py's module constants, and how its requests wrote JSON.

export const TEST_EVENT_PATTERN = {
  source: ["core.update-account-command"],
  "detail-type": ["core.update-account-command"],
  detail: { command: ["update-account"] },
};

export const TEST_EVENT_PATTERN_NO_DETAIL = {
  source: ["core.update-account-command"],
  "detail-type": ["core.update-account-command"],
};

export const TEST_EVENT_DETAIL = {
  command: "update-account",
  payload: { acc_id: "0a787ecb-4015", sf_id: "baz" },
};

/** Python's `json.dumps`: `", "` and `": "` between items. */
export function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pythonJson(v)}`)
      .join(", ")}}`;
  }
  return JSON.stringify(value);
}
