/**
 * EventBridge's tables. Migration ids 800–899 belong to events.
 *
 * A bus's rules compile into one matcher per node; `rules_generation` moves with every change to
 * the bus's rules or targets, so a node reads one row to know whether its matcher is current. The
 * default bus has a row once something is kept on it (a rule, a policy); until then it exists
 * without one.
 */
import type { Migration } from "../store/index.js";

export const eventsMigrations: readonly Migration[] = [
  {
    id: 800,
    name: "events: buses, rules, targets, tags",
    up: `
      CREATE TABLE events_buses (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT,
        policy TEXT,
        kms_key_identifier TEXT,
        dead_letter_arn TEXT,
        created_at BIGINT NOT NULL,
        modified_at BIGINT NOT NULL,
        custom BIGINT NOT NULL,
        rules_generation BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, name)
      );
      CREATE TABLE events_rules (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        bus_name TEXT NOT NULL,
        name TEXT NOT NULL,
        event_pattern TEXT,
        schedule_expression TEXT,
        state TEXT NOT NULL,
        description TEXT,
        role_arn TEXT,
        managed_by TEXT,
        created_by TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, bus_name, name)
      );
      CREATE TABLE events_targets (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        bus_name TEXT NOT NULL,
        rule_name TEXT NOT NULL,
        target_id TEXT NOT NULL,
        arn TEXT NOT NULL,
        definition TEXT NOT NULL,
        PRIMARY KEY (account_id, region, bus_name, rule_name, target_id)
      );
      CREATE INDEX events_targets_by_arn ON events_targets (account_id, region, arn);
      CREATE TABLE events_tags (
        resource_arn TEXT NOT NULL,
        tag_key TEXT NOT NULL,
        tag_value TEXT NOT NULL,
        PRIMARY KEY (resource_arn, tag_key)
      );
      CREATE TABLE events_dead_letters (
        id TEXT NOT NULL PRIMARY KEY,
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        queue_arn TEXT NOT NULL,
        body TEXT NOT NULL,
        attributes TEXT NOT NULL,
        sent_at BIGINT NOT NULL
      );
      CREATE INDEX events_dead_letters_by_queue ON events_dead_letters (account_id, region, queue_arn, sent_at);
    `,
  },
  {
    id: 801,
    name: "events: the position up to which change events were put on the default buses",
    up: `
      CREATE TABLE events_outbox_relay (
        id TEXT NOT NULL PRIMARY KEY,
        seq BIGINT NOT NULL
      );
    `,
  },
  {
    id: 802,
    name: "events: archives, their events, and replays",
    up: `
      CREATE TABLE events_archives (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        bus_name TEXT NOT NULL,
        description TEXT,
        event_pattern TEXT,
        retention_days BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, name)
      );
      CREATE TABLE events_archived (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        archive_name TEXT NOT NULL,
        event_id TEXT NOT NULL,
        event_time BIGINT NOT NULL,
        archived_at BIGINT NOT NULL,
        size_bytes BIGINT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (account_id, region, archive_name, event_id)
      );
      CREATE INDEX events_archived_by_time ON events_archived (account_id, region, archive_name, event_time);
      CREATE TABLE events_replays (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        archive_name TEXT NOT NULL,
        description TEXT,
        destination TEXT NOT NULL,
        event_start BIGINT NOT NULL,
        event_end BIGINT NOT NULL,
        state TEXT NOT NULL,
        state_reason TEXT,
        started_at BIGINT NOT NULL,
        ended_at BIGINT,
        last_replayed BIGINT,
        PRIMARY KEY (account_id, region, name)
      );
    `,
  },
  {
    id: 803,
    name: "events: connections and API destinations",
    up: `
      CREATE TABLE events_connections (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        resource_id TEXT NOT NULL,
        secret_id TEXT NOT NULL,
        description TEXT,
        authorization_type TEXT NOT NULL,
        auth_parameters TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        modified_at BIGINT NOT NULL,
        authorized_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, name)
      );
      CREATE TABLE events_api_destinations (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        name TEXT NOT NULL,
        resource_id TEXT NOT NULL,
        description TEXT,
        connection_arn TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        http_method TEXT NOT NULL,
        rate_limit BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        modified_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, name)
      );
    `,
  },
  {
    id: 804,
    name: "events: why a connection is in its state (an OAuth endpoint's refusal)",
    up: "ALTER TABLE events_connections ADD COLUMN state_reason TEXT",
  },
];
