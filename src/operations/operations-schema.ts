/**
 * The audit trail and the outbox (migrations 700–799). Audit rows are append-only: the store itself
 * refuses to update one, and refuses to delete one younger than the retention period, so neither a
 * bug nor a caller can rewrite history through Jeff.
 */
import type { Migration } from "../store/index.js";

export const auditRetentionDefaultMs = 90 * 86_400_000;

const changed = "audit records are append-only: they cannot be changed";
const kept = "audit records are kept for the retention period: only older ones can be purged";

const sqliteAuditGuards = `
  CREATE TRIGGER audit_events_never_change BEFORE UPDATE ON audit_events
  BEGIN
    SELECT RAISE(ABORT, '${changed}');
  END;
  CREATE TRIGGER audit_events_kept BEFORE DELETE ON audit_events
  WHEN OLD.event_time > CAST(strftime('%s', 'now') AS INTEGER) * 1000
    - (SELECT retention_ms FROM audit_settings WHERE id = 1)
  BEGIN
    SELECT RAISE(ABORT, '${kept}');
  END;
`;

/** The same guards in PL/pgSQL, and one more: TRUNCATE, which skips row triggers, is refused whole. */
const postgresAuditGuards = `
  CREATE FUNCTION audit_events_never_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION '${changed}';
  END $$;
  CREATE TRIGGER audit_events_never_change BEFORE UPDATE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_never_change();
  CREATE TRIGGER audit_events_never_truncated BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_never_change();
  CREATE FUNCTION audit_events_kept() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF OLD.event_time > (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT
        - (SELECT retention_ms FROM audit_settings WHERE id = 1) THEN
      RAISE EXCEPTION '${kept}';
    END IF;
    RETURN OLD;
  END $$;
  CREATE TRIGGER audit_events_kept BEFORE DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_kept();
`;

export const operationsMigrations: readonly Migration[] = [
  {
    id: 700,
    name: "audit trail",
    up: async (tx, dialect) => {
      await tx.exec(`
        CREATE TABLE audit_events (
          event_id TEXT PRIMARY KEY,
          event_time BIGINT NOT NULL,
          account_id TEXT NOT NULL,
          region TEXT NOT NULL,
          event_source TEXT NOT NULL,
          event_name TEXT NOT NULL,
          read_only BIGINT NOT NULL,
          management BIGINT NOT NULL,
          access_key_id TEXT NOT NULL,
          username TEXT,
          resources TEXT NOT NULL,
          record TEXT NOT NULL
        );
        CREATE INDEX audit_events_by_name ON audit_events (account_id, event_name, event_time);
        CREATE TABLE audit_settings (id BIGINT PRIMARY KEY, retention_ms BIGINT NOT NULL);
        INSERT INTO audit_settings (id, retention_ms) VALUES (1, ${auditRetentionDefaultMs});
      `);
      await tx.exec(dialect === "postgres" ? postgresAuditGuards : sqliteAuditGuards);
    },
  },
  {
    id: 701,
    name: "outbox of change events",
    up: `
      CREATE TABLE outbox_events (
        seq BIGINT PRIMARY KEY,
        created_at BIGINT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX outbox_events_by_time ON outbox_events (created_at);
    `,
  },
  {
    // A row keeps the call's facts and its record is built at lookup: writing each read's whole
    // record as JSON cost the edge about a tenth of its CPU. Older rows keep their `record` and
    // have no facts; new rows leave `record` empty (it is NOT NULL, and rows never change).
    id: 702,
    name: "audit rows keep a call's facts rather than its record",
    up: "ALTER TABLE audit_events ADD COLUMN facts TEXT",
  },
];
