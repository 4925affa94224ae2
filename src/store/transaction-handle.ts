/**
 * The `tx` every engine hands to a transaction's `work`: valid only until its transaction ends, and
 * doomed by its first failed statement (as PostgreSQL dooms it), whatever `work` makes of the error.
 */
import type { SqlExecutor, SqlValue } from "./store.js";
import { StoreError, StoreMisuseError, StoreQueryError } from "./store-errors.js";

type Row = Record<string, unknown>;

/** How an engine runs one statement on the transaction's connection; may answer at once or later. */
export interface TransactionStatements {
  all(sql: string, params: readonly SqlValue[] | undefined): Row[] | Promise<Row[]>;
  get(sql: string, params: readonly SqlValue[] | undefined): Row | undefined | Promise<Row | undefined>;
  run(
    sql: string,
    params: readonly SqlValue[] | undefined,
  ): { changes: number } | Promise<{ changes: number }>;
  exec(script: string): void | Promise<void>;
}

export class TransactionHandle implements SqlExecutor {
  readonly #statements: TransactionStatements;
  #open = true;
  #failure: StoreError | undefined;
  readonly #onCommit: Array<() => void> = [];

  constructor(statements: TransactionStatements) {
    this.#statements = statements;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** The first statement error, which dooms the transaction whatever `work` made of it. */
  get failure(): StoreError | undefined {
    return this.#failure;
  }

  end(): void {
    this.#open = false;
  }

  afterCommit(callback: () => void): void {
    if (!this.#open) {
      throw new StoreMisuseError("afterCommit was called after its transaction ended; keep tx inside work");
    }
    this.#onCommit.push(callback);
  }

  /** Runs what `afterCommit` gathered; the engine calls it once its COMMIT has succeeded. */
  committed(): void {
    runCommitted(this.#onCommit.splice(0));
  }

  /**
   * The error to throw when `work` resolved on a doomed transaction: its rollback, not a commit, is
   * what happened.
   */
  doomedError(): StoreMisuseError | undefined {
    if (this.#failure === undefined) return undefined;
    return new StoreMisuseError(
      `the transaction was rolled back: a statement inside it failed (${this.#failure.message}), ` +
        "and catching that error does not undo it",
      { cause: this.#failure },
    );
  }

  all<R>(sql: string, params?: readonly SqlValue[]): Promise<R[]> {
    return this.#attempt(() => this.#statements.all(sql, params)) as Promise<R[]>;
  }

  get<R>(sql: string, params?: readonly SqlValue[]): Promise<R | undefined> {
    return this.#attempt(() => this.#statements.get(sql, params)) as Promise<R | undefined>;
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }> {
    return this.#attempt(() => this.#statements.run(sql, params));
  }

  exec(script: string): Promise<void> {
    return this.#attempt(() => this.#statements.exec(script));
  }

  async #attempt<T>(statement: () => T | Promise<T>): Promise<T> {
    if (!this.#open) {
      throw new StoreMisuseError(
        "a transaction handle was used after its transaction ended; keep tx inside work",
      );
    }
    if (this.#failure) {
      throw new StoreMisuseError(
        `the transaction is doomed by an earlier failed statement (${this.#failure.message}); ` +
          "it will roll back, so end work by rethrowing",
        { cause: this.#failure },
      );
    }
    try {
      return await statement();
    } catch (error) {
      const failure =
        error instanceof StoreError
          ? error
          : new StoreQueryError(error instanceof Error ? error.message : String(error), undefined, {
              cause: error,
            });
      this.#failure ??= failure;
      throw failure;
    }
  }
}

/** Runs each callback; one that throws is reported, not rethrown: the commit it follows happened. */
export function runCommitted(callbacks: readonly (() => void)[]): void {
  for (const callback of callbacks) {
    try {
      callback();
    } catch (error) {
      process.emitWarning(
        `an afterCommit callback threw: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
