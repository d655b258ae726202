/**
 * The plumbing for React's useSyncExternalStore: listeners, a cached snapshot rebuilt only after
 * a change, notifications coalesced into one per microtask, and timers cleared on dispose.
 */
export abstract class ExternalStore<S> {
  private readonly listeners = new Set<() => void>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private snapshot: S | undefined;
  private notifyQueued = false;
  protected disposed = false;

  protected abstract buildSnapshot(): S;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): S => {
    this.snapshot ??= this.buildSnapshot();
    return this.snapshot;
  };

  /** Something changed: the next getSnapshot rebuilds, and listeners hear about it once. */
  protected changed(): void {
    this.snapshot = undefined;
    if (this.notifyQueued || this.disposed) return;
    this.notifyQueued = true;
    queueMicrotask(() => {
      this.notifyQueued = false;
      for (const l of [...this.listeners]) l();
    });
  }

  /** A timer that dies with the store; returns its cancel function. */
  protected later(ms: number, fn: () => void): () => void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.disposed) fn();
    }, ms);
    this.timers.add(t);
    return () => {
      clearTimeout(t);
      this.timers.delete(t);
    };
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.listeners.clear();
  }
}
