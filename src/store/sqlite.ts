/**
 * @module store/sqlite
 * Persistence of the object store in an embedded SQLite file (better-sqlite3).
 * Every write is its own transaction, committed before the API request is answered;
 * WAL with synchronous=NORMAL survives a killed process (kill -9) without losing a
 * committed write, which is the guarantee kwire promises (not power loss).
 */
import Database from 'better-sqlite3';
import type { KObject, Persistence } from './store.js';

export class SqlitePersistence implements Persistence {
  private readonly db: Database.Database;
  private readonly putStmt: Database.Statement;
  private readonly delStmt: Database.Statement;
  private readonly rvStmt: Database.Statement;
  private readonly putTx: (res: string, ns: string, name: string, body: string, rv: number) => void;
  private readonly delTx: (res: string, ns: string, name: string, rv: number) => void;

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
    this.putTx = this.db.transaction((res: string, ns: string, name: string, body: string, rv: number) => {
      this.putStmt.run(res, ns, name, rv, body);
      this.rvStmt.run(String(rv));
    });
    this.delTx = this.db.transaction((res: string, ns: string, name: string, rv: number) => {
      this.delStmt.run(res, ns, name);
      this.rvStmt.run(String(rv));
    });
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
    this.putTx(resource, namespace, name, JSON.stringify(object), rv);
  }

  remove(resource: string, namespace: string, name: string, rv: number): void {
    this.delTx(resource, namespace, name, rv);
  }

  close(): void {
    this.db.close();
  }
}
