/**
 * `jeff dev`'s type checks, as Vite's checker runs them: after each deploy, the project's
 * TypeScript compiler checks its `tsconfig.json` in a process of its own, and its errors are
 * printed when it is done. A deploy never waits for it, and a check still running when the next
 * save lands is ended for a fresh one. The compiler is the project's own `typescript` (with the
 * project's types beside it); without one, one note says how to turn the checks on.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Output } from "./output.js";

/** The `tsc` script of the `typescript` the project resolves, if it has one. */
function findCompiler(projectDir: string): string | undefined {
  try {
    const manifest = createRequire(join(projectDir, "package.json")).resolve("typescript/package.json");
    const { bin } = JSON.parse(readFileSync(manifest, "utf8")) as { bin?: Record<string, string> };
    return bin?.tsc ? join(dirname(manifest), bin.tsc) : undefined;
  } catch {
    return undefined;
  }
}

export class TypeChecker {
  #running: ChildProcess | undefined;
  #hadErrors = false;

  private constructor(
    private readonly projectDir: string,
    private readonly compiler: string,
    private readonly out: Output,
  ) {}

  /** A checker for the project, or undefined (having said why, when it matters) when it cannot have one. */
  static for(projectDir: string, out: Output): TypeChecker | undefined {
    if (!existsSync(join(projectDir, "tsconfig.json"))) return undefined;
    const compiler = findCompiler(projectDir);
    if (compiler === undefined) {
      out.note(
        "Type checks are off: no TypeScript found. `npm install --save-dev typescript @types/node` in the project turns them on.",
      );
      return undefined;
    }
    return new TypeChecker(projectDir, compiler, out);
  }

  /** Starts a check (ending one still running); returns at once. */
  check(): void {
    this.#running?.kill();
    const child = spawn(
      process.execPath,
      [this.compiler, "--noEmit", "--pretty", "false", "-p", join(this.projectDir, "tsconfig.json")],
      { cwd: this.projectDir, stdio: ["ignore", "pipe", "pipe"] },
    );
    this.#running = child;
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    child.on("error", () => {});
    child.on("close", (code, signal) => {
      if (this.#running !== child) return;
      this.#running = undefined;
      if (signal !== null) return;
      if (code === 0) {
        if (this.#hadErrors) this.out.note(this.out.green("Type check: no errors now."));
        this.#hadErrors = false;
        return;
      }
      this.#hadErrors = true;
      const lines = output.trimEnd();
      process.stderr.write(
        `${this.out.red("Type errors")} (the functions were deployed anyway):\n${lines}\n`,
      );
    });
  }

  close(): void {
    this.#running?.kill();
    this.#running = undefined;
  }
}
