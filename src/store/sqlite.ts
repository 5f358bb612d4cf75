/**
 * @module store/sqlite
 * Persistence of the object store in an embedded SQLite file (better-sqlite3).
 * Group commit: the writes of one event-loop turn are committed together in one
 * transaction (setImmediate), and the API server answers a write only after
 * `whenDurable()` resolves, so every acknowledged write is on disk. WAL with
 * synchronous=NORMAL survives a killed process (kill -9) without losing a committed
 * transaction, which is the guarantee kwire promises (not power loss).
 */
import Database from 'better-sqlite3';
import type { KObject, Persistence } from './store.js';

interface PendingOp {
  readonly res: string;
  readonly ns: string;
  readonly name: string;
  readonly rv: number;
  /** Absent: a deletion. */
  readonly body?: string;
}

export class SqlitePersistence implements Persistence {
  private readonly db: Database.Database;
  private readonly putStmt: Database.Statement;
  private readonly delStmt: Database.Statement;
  private readonly rvStmt: Database.Statement;
  private readonly flushTx: (ops: ReadonlyArray<PendingOp>) => void;
  private pending: PendingOp[] = [];
  private waiters: Array<() => void> = [];
  private scheduled = false;
  private closed = false;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS objects (
        resource TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
        rv INTEGER NOT NULL, body TEXT NOT NULL,
        PRIMARY KEY (resource, namespace, name));
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
    this.putStmt = this.db.prepare('INSERT OR REPLACE INTO objects (resource, namespace, name, rv, body) VALUES (?, ?, ?, ?, ?)');
    this.delStmt = this.db.prepare('DELETE FROM objects WHERE resource = ? AND namespace = ? AND name = ?');
    this.rvStmt = this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('rv', ?)");
    this.flushTx = this.db.transaction((ops: ReadonlyArray<PendingOp>) => {
      for (const op of ops) {
        if (op.body === undefined) this.delStmt.run(op.res, op.ns, op.name);
        else this.putStmt.run(op.res, op.ns, op.name, op.rv, op.body);
      }
      this.rvStmt.run(String(ops[ops.length - 1]!.rv));
    });
  }

  private enqueue(op: PendingOp): void {
    // A write that lands after close() (a controller finishing its turn while the
    // cluster stops) has nowhere to go: dropped, never a crash of the process.
    if (this.closed) return;
    this.pending.push(op);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Commits every queued write in one transaction and wakes those waiting for durability. */
  flush(): void {
    this.scheduled = false;
    const ops = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    if (ops.length && !this.closed) this.flushTx(ops);
    for (const w of waiters) w();
  }

  /** Resolves once every write made so far is committed. */
  whenDurable(): Promise<void> {
    if (this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  loadAll(): { rows: Array<{ resource: string; namespace: string; name: string; object: KObject }>; resourceVersion: number } {
    const rows = this.db.prepare('SELECT resource, namespace, name, body FROM objects').all() as Array<{ resource: string; namespace: string; name: string; body: string }>;
    const rvRow = this.db.prepare("SELECT value FROM meta WHERE key = 'rv'").get() as { value: string } | undefined;
    return {
      rows: rows.map((r) => ({ resource: r.resource, namespace: r.namespace, name: r.name, object: JSON.parse(r.body) as KObject })),
      resourceVersion: rvRow ? Number(rvRow.value) : 0,
    };
  }

  put(resource: string, namespace: string, name: string, object: KObject, rv: number): void {
    this.enqueue({ res: resource, ns: namespace, name, rv, body: JSON.stringify(object) });
  }

  remove(resource: string, namespace: string, name: string, rv: number): void {
    this.enqueue({ res: resource, ns: namespace, name, rv });
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }
}
