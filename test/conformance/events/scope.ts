/**
 * Which recorded EventBridge tests the replay covers: every test of the files below, except those
 * named here, each with its reason: what other accounts and Regions need, targets (and sources) of services
 * Jeff does not have, and features not built yet. A test in scope without a case counts as failed.
 *
 * A test that reads its deliveries from an SQS queue only to see what a rule delivered (the
 * pattern, the input, the envelope) stays in scope: its case delivers to a function instead
 * (replay.ts, `window()`). A test whose queue itself is the subject does not.
 */
export const replayedFiles = [
  "test_events",
  "test_events_patterns",
  "test_events_inputs",
  "test_events_tags",
  "test_events_targets",
  "test_events_schedule",
  "test_archive_and_replay",
  "test_api_destinations_and_connection",
  "test_events_cross_account_region",
] as const;

export type ReplayedFile = (typeof replayedFiles)[number];

/**
 * Reasons, each with the tests it keeps out: a whole file (`file.py`), a class (ending `::`), the
 * parameters of one test that begin so (with a `[`), or one test with all its parameters.
 */
export const outOfScope: ReadonlyArray<readonly [reason: string, prefixes: readonly string[]]> = [
  ["other accounts and Regions (test_events_cross_account_region)", ["test_events_cross_account_region.py"]],
  [
    "targets of services Jeff does not have (SNS, Kinesis, Firehose, CloudWatch Logs)",
    [
      "test_events_targets.py::TestEventsTargetSns::",
      "test_events_targets.py::TestEventsTargetKinesis::",
      "test_events_targets.py::TestEventsTargetFirehose::",
      "test_events_targets.py::TestEventsTargetCloudWatchLogs::",
    ],
  ],
  [
    "events from services Jeff does not have (S3's notifications)",
    ["test_events.py::TestEventBus::test_put_events_to_default_eventbus_for_custom_eventbus"],
  ],
  [
    "recorded from a template LocalStack later renamed exists_list_empty_NEG, whose newer recording AWS answered the other way",
    ["test_events_patterns.py::TestEventPattern::test_event_pattern[exists_list_empty]"],
  ],
  [
    "reads the connection's secret from Secrets Manager, which Jeff does not have",
    [
      "test_api_destinations_and_connection.py::TestEventBridgeConnections::test_update_connection",
      "test_api_destinations_and_connection.py::TestEventBridgeConnections::test_connection_secrets",
    ],
  ],
  [
    "schedules firing (not built yet)",
    [
      "test_events_schedule.py::TestScheduleCron::test_schedule_cron_target_sqs",
      "test_events_schedule.py::TestScheduleRate::tests_schedule_sqs_target",
    ],
  ],
];

/** The reason the test is out of scope, if one is. */
export function excludedBy(file: ReplayedFile, test: string): string | undefined {
  const key = `${file}.py::${test}`;
  for (const [reason, prefixes] of outOfScope) {
    if (prefixes.some((prefix) => covers(prefix, key))) return reason;
  }
  return undefined;
}

function covers(prefix: string, key: string): boolean {
  if (prefix.endsWith(".py")) return key.startsWith(`${prefix}::`);
  if (prefix.endsWith("::") || prefix.includes("[")) return key.startsWith(prefix);
  return key === prefix || key.startsWith(`${prefix}[`);
}
