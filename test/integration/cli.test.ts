// The `jeff` command line as a user meets it: versions, help, errors, validate, env, serve.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { access, chmod, copyFile, mkdir, mkdtemp, rm, stat, symlink, writeFile } from "node:fs/promises";
import { type AddressInfo, connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strToU8, zipSync } from "fflate";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeUrlFor, testEngine } from "../stores.js";
import { signedHeaders } from "./aws-signer.js";
import { aws, repoRoot, runJeff, startJeff } from "./jeff-process.js";
import { until } from "./until.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "jeff-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function jeff(args: string[], cwd = dir, env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await runJeff(args, { cwd, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("jeff", () => {
  it("prints its version and help for every command", async () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
    expect((await jeff(["--version"])).stdout.trim()).toBe(pkg.version);
    for (const command of ["init", "dev", "serve", "deploy", "delete", "invoke", "logs", "validate", "env"]) {
      const help = await jeff([command, "--help"]);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toContain(`Usage: jeff ${command}`);
    }
  });

  it("fails with one line and a non-zero exit on a bad command or option", async () => {
    const unknown = await jeff(["frobnicate"]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain("unknown command");
    const noServer = await jeff(["deploy", "--data-dir", join(dir, "nowhere")]);
    expect(noServer.code).toBe(1);
    expect(noServer.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("jeff init", () => {
  it("prints a next step that works when pasted, whether or not jeff is on the PATH", async () => {
    const target = join(dir, "next-step");
    const plain = await runJeff(["init", target], {
      cwd: dir,
      env: { PATH: "/usr/bin:/bin" },
    });
    expect(plain.stdout).toContain(`Next: cd ${target} && node ${join(repoRoot, "bin", "jeff.js")} dev`);
    const bin = join(dir, "path-bin");
    await mkdir(bin);
    await symlink(join(repoRoot, "bin", "jeff.js"), join(bin, "jeff"));
    const onPath = await runJeff(["init", join(dir, "next-step-2")], {
      cwd: dir,
      env: { PATH: `${bin}:/usr/bin:/bin` },
    });
    expect(onPath.stdout).toContain("&& jeff dev");
  });
});

describe("jeff validate", () => {
  const valid = `Parameters:
  Env: { Type: String, Default: dev }
Conditions:
  IsDev: !Equals [!Ref Env, dev]
Resources:
  P:
    Type: AWS::SSM::Parameter
    Condition: IsDev
    Properties: { Type: String, Value: !Sub "\${Env}-\${AWS::Region}" }
`;
  const invalid = `Resources:
  P:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Value: !GetAtt Missing.Arn
  Q:
    Type: AWS::Nope::Thing
  R:
    Type: AWS::SSM::Parameter
    Properties: { Type: Bogus, Value: x }
`;

  it("accepts a valid template", async () => {
    await writeFile(join(dir, "template.yaml"), valid);
    const result = await jeff(["validate"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("valid");
  });

  it("lists every problem with its logical id and property path, and exits 1", async () => {
    await writeFile(join(dir, "bad.yaml"), invalid);
    const result = await jeff(["validate", "bad.yaml"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\[P\] Resources\.P\.Properties\.Value.*Missing/);
    expect(result.stderr).toMatch(/\[Q\] .*AWS::Nope::Thing/);
    expect(result.stderr).toMatch(/\[R\] Resources\.R\.Properties\.Type.*Bogus/);
    const json = await jeff(["validate", "bad.yaml", "--json"]);
    const body = JSON.parse(json.stdout) as {
      valid: boolean;
      errors: Array<{ logicalId: string; path: string }>;
    };
    expect(body.valid).toBe(false);
    expect(body.errors.map((e) => e.logicalId).sort()).toEqual(["P", "Q", "R"]);
  });

  it("refuses a function deploy would refuse, listing every problem at once", async () => {
    await writeFile(
      join(dir, "function.yaml"),
      `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: cobol85
      Handler: index.handler
      InlineCode: "exports.handler = async () => 1"
      Timeout: 901
      MemorySize: 64
      Environment: { Variables: { AWS_REGION: nope } }
  Dynamic:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: !Ref AWS::NoValue
      Handler: index.handler
      InlineCode: "exports.handler = async () => 1"
      Timeout: !Ref Missing
`,
    );
    const result = await jeff(["validate", "function.yaml"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /\[Fn\] Resources\.Fn\.Properties\.Runtime: .*Value 'cobol85' at 'runtime'.*enum value set/,
    );
    expect(result.stderr).toMatch(
      /\[Fn\] Resources\.Fn\.Properties\.MemorySize: .*greater than or equal to 128/,
    );
    expect(result.stderr).toMatch(/\[Fn\] Resources\.Fn\.Properties\.Timeout: .*less than or equal to 900/);
    expect(result.stderr).toMatch(
      /\[Fn\] Resources\.Fn\.Properties\.Environment: .*reserved keys.*AWS_REGION/,
    );
    // A value only known at deploy time is left to deploy; only the unknown reference is reported.
    expect(result.stderr).not.toMatch(/\[Dynamic\].*Timeout: .*value/);
    expect(result.stderr).toMatch(/\[Dynamic\].*Missing/);
  });

  it("points at the line of a syntax error", async () => {
    await writeFile(join(dir, "syntax.yaml"), "Resources:\n  P:\n    Type: [unclosed\n");
    const result = await jeff(["validate", "syntax.yaml"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/line \d+/);
  });
});

describe("jeff env and jeff serve", () => {
  it("refuses to print credentials for a data directory no Jeff has used, creating nothing", async () => {
    const empty = join(dir, "no-jeff-here");
    const result = await jeff(["env", "--data-dir", empty]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no Jeff data");
    await expect(access(empty)).rejects.toThrow();
  });

  it("says which flag picks another port when its port is taken", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const taken = await jeff(["serve", "--port", String(port), "--data-dir", join(dir, "port-taken")]);
      expect(taken.code).toBe(1);
      expect(taken.stderr.trim().split("\n")).toHaveLength(1);
      expect(taken.stderr).toContain(`port ${port} on 127.0.0.1 is taken`);
      expect(taken.stderr).toContain("--port");
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it("lets only one Jeff use a data directory at a time", async () => {
    const first = await startJeff();
    const second = await jeff(["serve", "--port", "0", "--data-dir", first.dataDir]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`another Jeff (pid ${first.child.pid}) is already using`);
    const health = await fetch(`${first.url}/_jeff/health`);
    expect(health.status).toBe(200);
    await first.stop();
  });

  it("prints exports that the AWS CLI works with, and shuts down cleanly on SIGTERM", async () => {
    const server = await startJeff();
    const env = await jeff(["env", "--data-dir", server.dataDir]);
    const lines = env.stdout.trim().split("\n");
    expect(lines.map((l) => l.split("=")[0])).toEqual([
      "export AWS_ENDPOINT_URL",
      "export AWS_ACCESS_KEY_ID",
      "export AWS_SECRET_ACCESS_KEY",
      "export AWS_REGION",
    ]);
    const vars = Object.fromEntries(
      lines.map((l) => l.replace(/^export /, "").split("=") as [string, string]),
    );
    expect(vars.AWS_ENDPOINT_URL).toBe(server.url);
    const who = await aws(["sts", "get-caller-identity", "--output", "json"], {
      PATH: process.env.PATH,
      HOME: server.dataDir,
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      ...vars,
    });
    expect(JSON.parse(who.stdout)).toMatchObject({ Account: server.accountId });
    // A service Jeff does not serve is named, in the protocol its client reads (S3's XML, SNS's query XML).
    const cliEnv = {
      PATH: process.env.PATH,
      HOME: server.dataDir,
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      ...vars,
    };
    for (const [args, name] of [
      [["s3", "ls"], "s3"],
      [["sns", "list-topics"], "sns"],
      [["dynamodb", "list-tables"], "dynamodb"],
    ] as const) {
      const refused = await aws([...args], cliEnv);
      expect(refused.stderr, args.join(" ")).toContain(`(UnknownOperationException) when calling the`);
      expect(refused.stderr).toContain(`does not serve the service '${name}'`);
    }

    const health = await fetch(`${server.url}/_jeff/health`);
    expect(await health.json()).toMatchObject({ status: "ok", accountId: server.accountId });
    const metrics = await (await fetch(`${server.url}/_jeff/metrics`)).text();
    expect(metrics).toMatch(
      /jeff_api_requests_total\{service="sts",operation="GetCallerIdentity",status="200"\} \d+/,
    );

    const infoFile = join(server.dataDir, "server.json");
    await access(infoFile);
    const code = await server.stop("SIGTERM");
    expect(code).toBe(0);
    await expect(access(infoFile)).rejects.toThrow();
    expect(server.logs()).toContain("stopped");
  });

  it("keeps its data private, and refuses a data directory or store other users can read", async () => {
    const dataDir = join(dir, "fresh-data");
    const server = await startJeff({ dataDir });
    const mode = async (name: string) => (await stat(join(dataDir, name))).mode & 0o777;
    expect(await mode(".")).toBe(0o700);
    const sqliteFiles = testEngine === "sqlite" ? ["jeff.db", "jeff.db-wal", "jeff.db-shm"] : [];
    for (const name of [...sqliteFiles, "jeff.lock", "server.json"]) {
      expect(await mode(name), name).toBe(0o600);
    }
    expect(await server.stop()).toBe(0);

    if (testEngine === "sqlite") {
      // As an older Jeff left it: the store readable by everyone.
      await chmod(join(dataDir, "jeff.db"), 0o644);
      const store = await jeff(["serve", "--port", "0", "--data-dir", dataDir]);
      expect(store.code).toBe(1);
      expect(store.stderr.trim().split("\n")).toHaveLength(1);
      expect(store.stderr).toContain(`Fix it with: chmod 600 ${join(dataDir, "jeff.db")}`);
      await chmod(join(dataDir, "jeff.db"), 0o600);
    }

    await chmod(dataDir, 0o755);
    const folder = await jeff(["serve", "--port", "0", "--data-dir", dataDir]);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain(`Fix it with: chmod 700 ${dataDir}`);
    await chmod(dataDir, 0o700);

    // Once fixed as the message says, it starts again with the same account.
    const again = await startJeff({ dataDir });
    expect(again.accountId).toBe(server.accountId);
    await again.stop();
  });

  it("keeps the same account and keys across restarts of one data directory", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "jeff-restart-"));
    const first = await startJeff({ dataDir });
    await first.stop();
    const second = await startJeff({ dataDir });
    expect(second.accountId).toBe(first.accountId);
    expect(second.credentials).toEqual(first.credentials);
    await second.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("finishes a request that is in flight when SIGTERM arrives, then exits 0", async () => {
    const server = await startJeff();
    const url = new URL(server.url);
    const body = "Action=GetCallerIdentity&Version=2011-06-15";
    const headers = await signedHeaders({
      url: `${server.url}/`,
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
      service: "sts",
      region: server.region,
      credentials: server.credentials,
    });
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    let reply = "";
    socket.on("data", (chunk) => {
      reply += chunk.toString();
    });
    const head = Object.entries({ ...headers, host: url.host, "content-length": String(body.length) })
      .map(([k, v]) => `${k}: ${v}`)
      .join("\r\n");
    socket.write(`POST / HTTP/1.1\r\n${head}\r\n\r\n${body.slice(0, 10)}`);
    // The server has the request once its headers are read; only then is it "in flight".
    await until(async () => {
      const metrics = await (await fetch(`${server.url}/_jeff/metrics`)).text();
      return /^jeff_api_requests_in_flight 1$/m.test(metrics);
    }, "the half-sent request to be in flight");
    server.child.kill("SIGTERM");
    await until(() => server.logs().includes('"shutting down"'), "the server to start shutting down");
    // It waits for the request; the rest of the body is still to come.
    expect(server.child.exitCode).toBeNull();
    socket.write(body.slice(10));
    expect(await server.exited()).toBe(0);
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
    expect(reply).toContain(`<Account>${server.accountId}</Account>`);
    socket.destroy();
    await server.stop();
  });
});

describe("jeff serve --store", () => {
  it("ends with one line naming the database and why, when it cannot open the store", async () => {
    const unreachable = await jeff([
      "serve",
      "--port",
      "0",
      "--data-dir",
      join(dir, "store-unreachable"),
      "--store",
      "postgres://jeff:secret-word@127.0.0.1:1/jeffdb",
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr.trim().split("\n")).toHaveLength(1);
    expect(unreachable.stderr).toContain("127.0.0.1:1/jeffdb: nothing accepts connections there");
    expect(unreachable.stderr).not.toContain("secret-word");

    const notAUrl = await jeff([
      "serve",
      "--port",
      "0",
      "--data-dir",
      join(dir, "store-bad"),
      "--store",
      "mysql://x",
    ]);
    expect(notAUrl.code).toBe(1);
    expect(notAUrl.stderr).toContain("must be a postgres:// URL");
  });

  it.runIf(testEngine === "postgres")(
    "ends with one line naming the database when it refuses the credentials",
    async () => {
      // This machine's PostgreSQL trusts every local connection, so no password is ever wrong
      // here; a user it does not know is refused in the same class of errors (28xxx).
      const url = new URL((await storeUrlFor(join(dir, "store-stranger")))!);
      url.username = "no_such_jeff_user";
      url.password = "secret-word";
      const refused = await jeff([
        "serve",
        "--port",
        "0",
        "--data-dir",
        join(dir, "store-stranger"),
        "--store",
        url.toString(),
      ]);
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim().split("\n")).toHaveLength(1);
      expect(refused.stderr).toContain(`${url.hostname}:${url.port}/`);
      expect(refused.stderr).toContain(
        'it refused the credentials (role "no_such_jeff_user" does not exist)',
      );
      expect(refused.stderr).not.toContain("secret-word");
    },
  );

  it.runIf(testEngine === "postgres")(
    "refuses a database written by a newer Jeff, naming the step it does not know",
    async () => {
      const dataDir = join(dir, "store-newer");
      const url = (await storeUrlFor(dataDir))!;
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      try {
        await db.query(
          "CREATE TABLE jeff_migrations (id BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        );
        await db.query(
          "INSERT INTO jeff_migrations VALUES (99999, 'from the future', '2030-01-01T00:00:00Z')",
        );
      } finally {
        await db.end();
      }
      const newer = await jeff(["serve", "--port", "0", "--data-dir", dataDir, "--store", url]);
      expect(newer.code).toBe(1);
      expect(newer.stderr.trim().split("\n")).toHaveLength(1);
      expect(newer.stderr).toContain('migration 99999 ("from the future")');
      expect(newer.stderr).toContain("newer Jeff");
    },
  );
});

describe("a Jeff named by --endpoint", () => {
  const project = join(repoRoot, "test/fixtures/projects/remote");

  it("deploys, invokes and prints exports with the environment's keys, reading and writing no data directory", async () => {
    const server = await startJeff();
    try {
      // Nothing of the server's is reachable but its URL: no data directory, no store.
      const keys = {
        JEFF_STORE: "",
        JEFF_DATA_DIR: join(dir, "nothing-here"),
        AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
        AWS_REGION: server.region,
      };
      const deployed = await jeff(
        ["deploy", "--stack", "far", "--endpoint", server.url, "--json"],
        project,
        keys,
      );
      expect(deployed.stderr).not.toContain("jeff:");
      expect(JSON.parse(deployed.stdout)).toMatchObject({ ok: true, status: "CREATE_COMPLETE" });
      const invoked = await jeff(["invoke", "far-echo", "--endpoint", server.url, "--json"], project, keys);
      expect(JSON.parse((JSON.parse(invoked.stdout) as { payload: string }).payload)).toEqual({
        from: "a package sent over HTTP",
      });
      const env = await jeff(["env", "--endpoint", server.url], dir, keys);
      expect(env.stdout).toContain(`export AWS_ENDPOINT_URL=${server.url}`);
      expect(env.stdout).toContain(`export AWS_ACCESS_KEY_ID=${server.credentials.accessKeyId}`);
      await expect(access(join(project, ".jeff"))).rejects.toThrow();
      await expect(access(keys.JEFF_DATA_DIR)).rejects.toThrow();

      // The upload route takes only a signed zip, checked whole as Lambda checks a ZipFile.
      const upload = `${server.url}/_jeff/packages`;
      const put = async (body: Uint8Array | string) => {
        const headers = await signedHeaders({
          url: upload,
          method: "PUT",
          headers: {},
          body,
          service: "jeff",
          region: server.region,
          credentials: server.credentials,
        });
        const answer = await fetch(upload, { method: "PUT", headers, body });
        return {
          status: answer.status,
          body: (await answer.json()) as { __type?: string; message?: string },
        };
      };
      const refusedZip = await put("not a zip file at all");
      expect(refusedZip.status).toBe(400);
      expect(refusedZip.body).toMatchObject({ __type: "InvalidParameterValueException" });
      const unsigned = await fetch(upload, { method: "PUT", body: "not a zip file at all" });
      expect(unsigned.status).toBe(403);
      // A link out of the package, and a path that climbs out of it, are refused by name.
      const link = zipSync({
        "index.mjs": strToU8("export const handler = async () => 1;"),
        escape: [strToU8("../../../../etc/passwd"), { os: 3, attrs: (0o120777 << 16) >>> 0 }],
      });
      const linked = await put(link);
      expect(linked.status).toBe(400);
      expect(linked.body.message).toContain("escape");
      const climbing = await put(zipSync({ "../outside.mjs": strToU8("x") }));
      expect(climbing.status).toBe(400);
      expect(climbing.body.message).toContain("../outside.mjs");
      // A package above the edge's 16 MB limit for API calls is taken, up to Lambda's 50 MB zipped.
      const large = zipSync({
        "index.mjs": strToU8("export const handler = async () => 1;"),
        "data.bin": [randomBytes(20 * 1024 * 1024), { level: 0 }],
      });
      expect((await put(large)).status).toBe(200);
      const tooLarge = await put(new Uint8Array(51 * 1024 * 1024));
      expect(tooLarge.status).toBe(413);

      // Without keys, or with keys the server does not know, one line says what is wrong.
      const keyless = await jeff(["deploy", "--stack", "far", "--endpoint", server.url], project, {
        ...keys,
        AWS_ACCESS_KEY_ID: "",
      });
      expect(keyless.code).toBe(1);
      expect(keyless.stderr).toContain("AWS_ACCESS_KEY_ID");
      const stranger = await jeff(["env", "--endpoint", server.url], dir, {
        ...keys,
        AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
      });
      expect(stranger.code).toBe(1);
      expect(stranger.stderr.trim().split("\n")).toHaveLength(1);
      expect(stranger.stderr).toMatch(/UnrecognizedClientException|InvalidClientTokenId/);
      expect(stranger.stdout).toBe("");
    } finally {
      await server.stop();
    }
  });
});

describe("jeff backup", () => {
  it.runIf(testEngine === "sqlite")(
    "copies the store while Jeff runs, and the copy starts a Jeff with the same data",
    async () => {
      const server = await startJeff({ dataDir: join(dir, "backup-source") });
      const put = await aws(
        ["ssm", "put-parameter", "--name", "/backup/kept", "--value", "before the copy", "--type", "String"],
        server.awsEnv(),
      );
      expect(put.code).toBe(0);
      const copy = join(dir, "copy.db");
      const taken = await jeff(["backup", copy, "--data-dir", server.dataDir]);
      expect(taken.code).toBe(0);
      expect((await stat(copy)).mode & 0o777).toBe(0o600);
      // The server goes on serving, and a second copy to the same name is refused.
      expect((await fetch(`${server.url}/_jeff/health`)).status).toBe(200);
      const again = await jeff(["backup", copy, "--data-dir", server.dataDir]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain("exists already");
      await server.stop();

      // Restored: the copy as jeff.db in a new data directory.
      const restoredDir = join(dir, "backup-restored");
      await mkdir(restoredDir, { mode: 0o700 });
      await copyFile(copy, join(restoredDir, "jeff.db"));
      const restored = await startJeff({ dataDir: restoredDir });
      try {
        expect(restored.accountId).toBe(server.accountId);
        const got = await aws(
          [
            "ssm",
            "get-parameter",
            "--name",
            "/backup/kept",
            "--query",
            "Parameter.Value",
            "--output",
            "text",
          ],
          restored.awsEnv(),
        );
        expect(got.stdout.trim()).toBe("before the copy");
      } finally {
        await restored.stop();
      }
    },
  );

  it.runIf(testEngine === "postgres")("points at pg_dump for a store on PostgreSQL", async () => {
    const server = await startJeff({ dataDir: join(dir, "backup-postgres") });
    try {
      const refused = await jeff(["backup", join(dir, "pg-copy.db"), "--data-dir", server.dataDir]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("pg_dump");
    } finally {
      await server.stop();
    }
  });
});
