/** The stack engine's tables. Migration ids 200–299 belong to stacks. */
import type { Migration } from "../store/index.js";

export const stackMigrations: readonly Migration[] = [
  {
    id: 200,
    name: "stacks: stacks, their resources and events",
    up: `
      CREATE TABLE cfn_stacks (
        stack_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        stack_name TEXT NOT NULL,
        status TEXT NOT NULL,
        status_reason TEXT,
        description TEXT,
        template_body TEXT NOT NULL,
        parameters TEXT NOT NULL,
        outputs TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT,
        deleted_at TEXT
      );
      CREATE UNIQUE INDEX cfn_stacks_live_name ON cfn_stacks (account_id, region, stack_name) WHERE deleted_at IS NULL;
      CREATE TABLE cfn_stack_resources (
        stack_id TEXT NOT NULL REFERENCES cfn_stacks (stack_id),
        logical_id TEXT NOT NULL,
        type TEXT NOT NULL,
        physical_id TEXT,
        status TEXT NOT NULL,
        status_reason TEXT,
        properties TEXT,
        attributes TEXT,
        previous TEXT,
        created_seq INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (stack_id, logical_id)
      );
      CREATE TABLE cfn_stack_events (
        event_id TEXT PRIMARY KEY,
        stack_id TEXT NOT NULL REFERENCES cfn_stacks (stack_id),
        seq INTEGER NOT NULL,
        logical_id TEXT NOT NULL,
        physical_id TEXT,
        resource_type TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        timestamp TEXT NOT NULL
      );
      CREATE INDEX cfn_stack_events_by_stack ON cfn_stack_events (stack_id, seq);
    `,
  },
  {
    id: 201,
    name: "stacks: remember which parameters are NoEcho, to mask them when described",
    up: "ALTER TABLE cfn_stacks ADD COLUMN no_echo TEXT NOT NULL DEFAULT '[]'",
  },
  {
    id: 202,
    name: "stacks: remember who started the operation in progress, to act as them after a restart",
    up: "ALTER TABLE cfn_stacks ADD COLUMN caller TEXT",
  },
  {
    id: 203,
    name: "stacks: the queue job that runs the operation in progress, and when its first run began it",
    up: `
      ALTER TABLE cfn_stacks ADD COLUMN operation_job TEXT;
      ALTER TABLE cfn_stacks ADD COLUMN operation_began_at TEXT;
    `,
  },
];
