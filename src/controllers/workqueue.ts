/**
 * @module controllers/workqueue
 * A work queue as client-go's: a key added while queued is not queued twice, a key
 * being processed is never processed twice at once (it is re-queued after), and
 * a failing key is retried with exponential backoff. Processing is asynchronous, so
 * event handlers (called inside a store write) never write to the store themselves.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private scheduled = false;
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly reconcile: (key: string) => void | Promise<void>,
    private readonly onError: (key: string, err: unknown) => void = (key, err) => console.error(`kwire: reconcile ${key}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`),
  ) {}

  add(key: string): void {
    if (this.stopped || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (!this.processing.has(key)) this.queue.push(key);
    this.schedule();
  }

  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.add(key);
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    const batch = this.queue.splice(0, this.queue.length);
    await Promise.all(batch.map((k) => this.run(k)));
  }

  private async run(key: string): Promise<void> {
    this.dirty.delete(key);
    this.processing.add(key);
    try {
      await this.reconcile(key);
      this.failures.delete(key);
    } catch (e) {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      this.onError(key, e);
      this.addAfter(key, Math.min(5 * 2 ** n, 30_000));
    } finally {
      this.processing.delete(key);
      if (this.dirty.has(key)) {
        this.queue.push(key);
        this.schedule();
      }
    }
  }

  /** Resolves when nothing is queued or running (tests). */
  async idle(): Promise<void> {
    while (this.queue.length || this.processing.size || this.scheduled) await new Promise((r) => setImmediate(r));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
