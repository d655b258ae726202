import type { SystemKind, Target } from '../clients/endpoint.js';

/** A system under test, running as its own process(es) on loopback. */
export interface RunningSystem {
  /** As shown in the report, e.g. "Parley (SQLite)". */
  readonly label: string;
  readonly kind: SystemKind;
  readonly targets: readonly Target[];
  /** The server processes, measured for RSS and CPU. */
  readonly pids: readonly number[];
  /** Parley's HTTP port (for /metrics), when it has one. */
  readonly httpPort?: number;
  /** Stops it; `fast` kills instead of a graceful stop (nothing left to measure). */
  stop(options?: { fast?: boolean }): Promise<void>;
}

export async function waitForTcp(
  host: string,
  port: number,
  timeoutMs: number,
  alive: () => boolean,
): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host, port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => {
        resolve(false);
      });
    });
    if (ok) return;
    if (!alive()) throw new Error(`the process for ${host}:${port} exited`);
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
