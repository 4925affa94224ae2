/**
 * Every command's name, arguments and options. Actions load their implementation only when they
 * run, so `jeff --help` and `jeff validate` do not pay for the server or the AWS SDK.
 */
import type { Command } from "commander";
import { defaultPort } from "../server/defaults.js";
import { envVars } from "../server/env-vars.js";

const storeHelp =
  "a postgres:// URL to keep the store in PostgreSQL, shared by every Jeff node on it " +
  `(default: $${envVars.store}, else the SQLite file in the data directory)`;
const dataDirHelp = `where the store lives (default: .jeff/ in the project folder, or $${envVars.dataDir})`;
const endpointHelp = `the Jeff to talk to, here or on another machine, as the user whose keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY hold (default $${envVars.endpoint}, else the Jeff serving the data directory)`;
const loopbackFlag = "--function-loopback-port <port>";
const loopbackHelp = `a port on this machine's loopback that functions may reach besides Jeff's API (repeatable; default none, or $${envVars.functionLoopbackPorts})`;
const httpTargetAllowFlag = "--http-target-allow <address>";
const httpTargetAllowHelp = `an address or CIDR block, with an optional port, on loopback or a private network that HTTP targets (API destinations) may reach: 127.0.0.1:8080, 10.0.0.0/8 (repeatable; default none, or $${envVars.httpTargetAllow})`;
const sandboxAllowFlag = "--sandbox-allow <function=what>";
const sandboxAllowHelp = `let this Node function's sandbox also allow child-process, worker, addons or wasi (comma-separated; repeatable; default $${envVars.sandboxAllow})`;

/** A repeatable option's values, in order. */
const collect = (value: string, values: string[] = []) => [...values, value];

function isolationHelp(fallback: string): string {
  return `how functions are isolated: sandbox (namespaces; refuse to start without them), process (weaker: plain processes), or auto (the sandbox where it can be built, else process with a warning) (default ${fallback}, or $${envVars.isolation})`;
}

function warmPoolHelp(fallback: number): string {
  return `keep N sandboxed Node and Python runtimes started per (runtime, memory) in recent use, not yet given a function, so a cold start only loads code (0 keeps none; default ${fallback}, or $${envVars.functionPool})`;
}

export function defineCommands(program: Command): void {
  program
    .command("init")
    .description("create a starter project (template.yaml, a TypeScript function, a README)")
    .argument("[dir]", "where to create it", ".")
    .option("--json", "print the created files as JSON")
    .action(async (dir: string, flags) => (await import("./commands/init.js")).runInit(dir, flags));

  program
    .command("dev")
    .description("serve the project, deploy its template, and redeploy on every change")
    .argument("[dir]", "the project folder", ".")
    .option(
      "-p, --port <port>",
      `port to listen on (default ${defaultPort}); 0 picks a free one`,
      process.env[envVars.port],
    )
    .option("--host <host>", "address to bind", process.env[envVars.host])
    .option("--data-dir <dir>", dataDirHelp)
    .option("--store <url>", storeHelp)
    .option("-s, --stack <name>", "stack name (default: the project folder's name)")
    .option("--parameter-overrides <Key=Value...>", "template parameter values")
    .option(
      "--endpoint <url>",
      "serve nothing here: deploy to the Jeff at this URL on every change (keys as for jeff deploy)",
    )
    .option(
      "--inspect <function>",
      "open a debugger port on this function's environments (repeatable; Node runtimes)",
      collect,
    )
    .option("--inspect-port <port>", "the first debugger port (default 9229)")
    .option("--isolation <mode>", isolationHelp("auto"), process.env[envVars.isolation])
    .option(
      "--no-prestart",
      `do not start a function's environment ahead of its first invocation after each deploy (or $${envVars.functionPrestart}=0)`,
    )
    .option("--warm-pool <n>", warmPoolHelp(1))
    .option(sandboxAllowFlag, sandboxAllowHelp, collect)
    .option(loopbackFlag, loopbackHelp, collect)
    .option(httpTargetAllowFlag, httpTargetAllowHelp, collect)
    .option("--log-level <level>", "debug, info, warn or error", process.env[envVars.logLevel] ?? "warn")
    .option("--json", "print results as JSON")
    .action(async (dir: string, flags) => (await import("./commands/dev.js")).runDev(dir, flags));

  program
    .command("serve")
    .description("start Jeff's API server (the AWS-compatible endpoint) in the foreground")
    .option(
      "-p, --port <port>",
      `port to listen on (default ${defaultPort}); 0 picks a free one and prints it`,
      process.env[envVars.port],
    )
    .option("--host <host>", "address to bind (default 127.0.0.1)", process.env[envVars.host])
    .option("--data-dir <dir>", dataDirHelp)
    .option("--store <url>", storeHelp)
    .option("--store-pool-size <n>", "connections to PostgreSQL at most, with --store (default 10)")
    .option("--isolation <mode>", isolationHelp("sandbox"), process.env[envVars.isolation])
    .option(
      "--prestart",
      `start one environment of a function ahead of need whenever it is created or changed, so its first invocation is warm (or $${envVars.functionPrestart}=1)`,
    )
    .option("--warm-pool <n>", warmPoolHelp(0))
    .option("--log-level <level>", "debug, info, warn or error", process.env[envVars.logLevel])
    .option(sandboxAllowFlag, sandboxAllowHelp, collect)
    .option(loopbackFlag, loopbackHelp, collect)
    .option(httpTargetAllowFlag, httpTargetAllowHelp, collect)
    .option("--json", "print the endpoint as JSON")
    .action(async (flags) => (await import("./commands/serve.js")).runServe(flags));

  program
    .command("deploy")
    .description("create or update a stack from the project's template on the running Jeff")
    .option("-s, --stack <name>", "stack name (default: the project folder's name)")
    .option("-t, --template <file>", "template file (default: template.yaml)")
    .option("--parameter-overrides <Key=Value...>", "template parameter values")
    .option("--data-dir <dir>", "the data directory of the Jeff to deploy to")
    .option("--endpoint <url>", endpointHelp)
    .option("--json", "print the result as JSON")
    .action(async (flags) => (await import("./commands/deploy.js")).runDeploy(flags));

  program
    .command("delete")
    .description("delete a stack and every resource it created")
    .requiredOption("-s, --stack <name>", "stack name")
    .option("--data-dir <dir>", "the data directory of the Jeff to delete from")
    .option("--endpoint <url>", endpointHelp)
    .option("--json", "print the result as JSON")
    .action(async (flags) => (await import("./commands/deploy.js")).runDelete(flags));

  program
    .command("invoke")
    .description("run a function on the running Jeff and print its result and log")
    .argument("<name>", "the function's name or ARN")
    .option("-e, --event <file>", "the event: a JSON file, or - for standard input (default: {})")
    .option("--data-dir <dir>", "the data directory of the Jeff to use")
    .option("--endpoint <url>", endpointHelp)
    .option("--json", "print the result, status and log as JSON")
    .action(async (name: string, flags) => (await import("./commands/invoke.js")).runInvoke(name, flags));

  program
    .command("logs")
    .description("print a function's log lines (its /aws/lambda/NAME log group)")
    .argument("<name>", "the function's name, or a log group starting with /")
    .option("-f, --follow", "keep printing new lines until Ctrl-C")
    .option("--since <duration>", "how far back to start: 30s, 10m, 2h, 1d", "10m")
    .option("--data-dir <dir>", "the data directory of the Jeff to use")
    .option("--endpoint <url>", endpointHelp)
    .option("--json", "print one JSON object per line")
    .action(async (name: string, flags) => (await import("./commands/logs.js")).runLogs(name, flags));

  program
    .command("backup")
    .description(
      "copy the embedded store to FILE while Jeff runs (restore: FILE as jeff.db in a data directory)",
    )
    .argument("<file>", "the copy to write; must not exist")
    .option("--data-dir <dir>", "the data directory whose store to copy")
    .option("--json", "print the result as JSON")
    .action(async (file: string, flags) => (await import("./commands/backup.js")).runBackup(file, flags));

  program
    .command("nodes")
    .description("list the Jeff nodes sharing this store, whether each is up, and the jobs each holds")
    .option("--data-dir <dir>", "the data directory of the Jeff to ask")
    .option("--endpoint <url>", endpointHelp)
    .option("--json", "print the nodes as JSON")
    .action(async (flags) => (await import("./commands/nodes.js")).runNodes(flags));

  const events = program.command("events").description("event buses, and the change events Jeff announces");
  events
    .command("tail")
    .description(
      "print change events live as calls commit them, following the server across restarts; or, with --bus or --pattern, a bus's events",
    )
    .option("--all", "start from the oldest event kept (a day), not from now")
    .option(
      "--bus <name>",
      "watch the events put on this event bus instead (its name or ARN), as they are routed",
    )
    .option(
      "--pattern <json>",
      "with --bus (default: the default bus): only events matching this event pattern",
    )
    .option("--data-dir <dir>", "the data directory of the Jeff to follow")
    .option("--endpoint <url>", endpointHelp)
    .option("--json", "print each event's EventBridge envelope as one JSON line")
    .action(async (flags) => (await import("./commands/events.js")).runEventsTail(flags));
  events
    .command("put")
    .description("put an event on a bus, as EventBridge's PutEvents does")
    .requiredOption("--source <source>", "the event's source, e.g. com.example.orders")
    .requiredOption("--detail-type <type>", "the event's detail-type")
    .option("--detail <json>", "the event's detail: a JSON object", "{}")
    .option("--bus <name>", "the event bus's name or ARN (default: the default bus)")
    .option("--resources <arn...>", "ARNs the event is about")
    .option("--data-dir <dir>", "the data directory of the Jeff to put it on")
    .option("--endpoint <url>", endpointHelp)
    .option("--json", "print the event's id as JSON")
    .action(async (flags) => (await import("./commands/events-bus.js")).runEventsPut(flags));
  events
    .command("test-pattern")
    .description("say whether an event matches an event pattern, as TestEventPattern does")
    .argument("<pattern>", "the event pattern (JSON)")
    .argument("<event>", "the event (JSON, with id, account, source, time, region and detail-type)")
    .option("--json", "print the result as JSON")
    .action(async (pattern: string, event: string, flags) =>
      (await import("./commands/events-bus.js")).runEventsTestPattern(pattern, event, flags),
    );
  events
    .command("dead-letters")
    .description("list the events deliveries gave up on, kept under their targets' dead-letter queue ARNs")
    .option("--queue <arn>", "only this dead-letter queue's")
    .option("--data-dir <dir>", "the data directory of the Jeff to ask")
    .option("--endpoint <url>", endpointHelp)
    .option("--json", "print the dead letters as JSON")
    .action(async (flags) => (await import("./commands/events-bus.js")).runEventsDeadLetters(flags));

  program
    .command("validate")
    .description("check a SAM or CloudFormation template without deploying it")
    .argument("[template]", "the template file (default: template.yaml in the current folder)")
    .option("--json", "print the result as JSON")
    .action(async (template: string | undefined, flags) =>
      (await import("./commands/validate.js")).runValidate(template, flags),
    );

  program
    .command("env")
    .description('print `export AWS_…` lines for the AWS CLI and SDKs (eval "$(jeff env)")')
    .option("--data-dir <dir>", "the store to read the credentials from")
    .option("--store <url>", storeHelp)
    .option(
      "--endpoint <url>",
      "a Jeff on another machine: print its URL with the keys --store holds, else with the environment's, once it accepts them",
    )
    .option("--json", "print the values as JSON")
    .action(async (flags) => (await import("./commands/env.js")).runEnv(flags));
}
