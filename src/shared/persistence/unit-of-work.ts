import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';
import type { Clock } from '../kernel/clock';
import type { ContractRegistry } from '../messaging/contract-registry';
import type { Envelope } from '../messaging/envelope';
import { recordInInbox } from './inbox/inbox';
import { OutboxWriter } from './outbox/outbox-writer';
import { inChildSpan, untraced } from '../tracing/spans';

/**
 * Where repositories run their statements: a transaction's connection, or, outside one (reads,
 * single-statement writes), the pool's, one autocommit statement at a time.
 */
export interface Session {
  readonly manager: EntityManager;
}

export interface Transaction extends Session {
  readonly outbox: OutboxWriter;
  readonly now: Date;
}

/**
 * How every context reaches its storage: its repositories opened on one session, so every read
 * and write of a unit of work shares its transaction. Each context declares its own
 * `XxxRepositories` in its application layer; the adapters live in its infrastructure.
 */
export type RepositoryFactory<R> = (session: Session) => R;

/** The transaction `around` holds open, which the units of work inside it join. */
interface Enclosing {
  readonly tx: Transaction;
  /** False once `around` ended: work that outlives it (a kicked loop) opens its own transaction. */
  open: boolean;
  /** Whether anything inside wrote outbox rows: the commit listeners are called after the commit. */
  wrote: boolean;
  savepoints: number;
}

/** One transaction: the effect, the inbox record and the outgoing messages commit together. */
export class UnitOfWork {
  private readonly commitListeners: Array<() => void> = [];
  private readonly enclosing = new AsyncLocalStorage<Enclosing>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: ContractRegistry,
    private readonly clock: Clock,
  ) {}

  /** Called after every commit that wrote outbox rows (the relay uses it to publish at once). */
  onCommit(listener: () => void): void {
    this.commitListeners.push(listener);
  }

  run<T>(work: (tx: Transaction) => Promise<T>, cause?: Envelope): Promise<T> {
    return this.transact(cause, work);
  }

  /**
   * Work outside a transaction: each statement commits on its own (queries, claims by one
   * statement). Inside `around`, on its transaction instead (PGlite has one connection).
   */
  read<T>(work: (session: Session) => Promise<T>): Promise<T> {
    const enclosing = this.openEnclosing();
    return work({ manager: enclosing ? enclosing.tx.manager : this.dataSource.manager });
  }

  /**
   * One transaction around `work` and every unit of work it runs: each `run` / `handleOnce`
   * inside joins it in a savepoint of its own (its failure undoes only its part) instead of
   * committing alone, and `read` uses its connection. So what `work` does before and after a
   * service call (an HTTP request's idempotency record) commits with the service's effect, or
   * neither does. The units of work inside run one at a time (one connection), never in parallel.
   */
  async around<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    if (this.openEnclosing()) throw new Error('UnitOfWork.around: already inside one');
    let enclosing: Enclosing | undefined;
    let value: T;
    try {
      value = await this.transact(undefined, (tx) => {
        enclosing = { tx, open: true, wrote: false, savepoints: 0 };
        return this.enclosing.run(enclosing, () => work(tx));
      });
    } finally {
      if (enclosing) enclosing.open = false;
    }
    // The joined units' outbox rows are committed now (transact calls the listeners for its own).
    if (enclosing?.wrote) for (const listener of this.commitListeners) listener();
    return value;
  }

  /**
   * Handles `message` for `consumer` at most once: a redelivered message id is acknowledged
   * without running `work` again. Returns false for such a duplicate.
   */
  async handleOnce(consumer: string, message: Envelope, work: (tx: Transaction) => Promise<void>): Promise<boolean> {
    return this.transact(message, async (tx) => {
      if (!(await untraced(() => recordInInbox(tx.manager, consumer, message.messageId)))) return false;
      await work(tx);
      return true;
    });
  }

  private openEnclosing(): Enclosing | undefined {
    const enclosing = this.enclosing.getStore();
    return enclosing?.open ? enclosing : undefined;
  }

  private async transact<T>(cause: Envelope | undefined, work: (tx: Transaction) => Promise<T>): Promise<T> {
    const enclosing = this.openEnclosing();
    if (enclosing) return this.joined(enclosing, cause, work);
    // Inside a trace (a request, a delivery, a work item), the transaction's span: its statements
    // (pg instrumentation) and the outbox rows it writes (their `send` spans) are its children.
    const attributes = { 'db.system.name': 'postgresql', ...(cause ? { 'refinery.cause.type': cause.type } : {}) };
    const { value, wrote } = await inChildSpan('transaction', { attributes }, (span) =>
      this.inTransaction(async (manager) => {
        const now = this.clock.now();
        const outbox = new OutboxWriter(this.registry, cause, () => now);
        const result = await work({ manager, outbox, now });
        // Counted before the flush: flushing empties the pending list.
        const written = outbox.messages.length;
        span?.setAttribute('refinery.outbox.messages', written);
        await untraced(() => outbox.flush(manager));
        return { value: result, wrote: written > 0 };
      }),
    );
    if (wrote) for (const listener of this.commitListeners) listener();
    return value;
  }

  /** A unit of work inside `around`: its own outbox (its cause) in a savepoint of the enclosing transaction. */
  private async joined<T>(enclosing: Enclosing, cause: Envelope | undefined, work: (tx: Transaction) => Promise<T>): Promise<T> {
    const { manager, now } = enclosing.tx;
    const savepoint = `unit_of_work_${++enclosing.savepoints}`;
    await untraced(() => manager.query(`SAVEPOINT ${savepoint}`));
    try {
      const outbox = new OutboxWriter(this.registry, cause, () => now);
      const result = await work({ manager, outbox, now });
      if (outbox.messages.length > 0) enclosing.wrote = true;
      await untraced(() => outbox.flush(manager));
      await untraced(() => manager.query(`RELEASE SAVEPOINT ${savepoint}`));
      return result;
    } catch (error) {
      await untraced(() => manager.query(`ROLLBACK TO SAVEPOINT ${savepoint}`)).catch(() => undefined);
      throw error;
    }
  }

  /**
   * What `dataSource.transaction` does, with its BEGIN, COMMIT and ROLLBACK statements untraced:
   * the transaction's span covers them, and three spans more per transaction cost tracing a
   * measurable share of the throughput (bench/README.md).
   */
  private async inTransaction<R>(work: (manager: EntityManager) => Promise<R>): Promise<R> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await untraced(() => runner.startTransaction());
      const result = await work(runner.manager);
      await untraced(() => runner.commitTransaction());
      return result;
    } catch (error) {
      // The work's error is the one to report, as dataSource.transaction does.
      await untraced(() => runner.rollbackTransaction()).catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }
}
