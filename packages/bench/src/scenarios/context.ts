import type { Params } from '../params.js';
import { startParley, type ParleyStore } from '../systems/parley-server.js';
import { startMosquitto, startNetRelay, startSocketIo } from '../systems/peers.js';
import type { RunningSystem } from '../systems/running-system.js';

export interface ScenarioContext {
  readonly params: Params;
  readonly log: (line: string) => void;
  /** Run only systems whose label contains one of these (case-insensitive); empty = all. */
  readonly systems: readonly string[];
}

/** How a scenario starts one system; `label` is known before it runs (for filtering and errors). */
export interface SystemFactory {
  readonly label: string;
  start(): Promise<RunningSystem>;
}

export function parleyFactory(
  store: ParleyStore,
  env: Record<string, string> = {},
  label?: string,
): SystemFactory {
  return {
    label: label ?? (store === 'sqlite' ? 'Parley (SQLite)' : 'Parley (PostgreSQL)'),
    start: () => startParley({ store, env }),
  };
}

export function peerFactories(options: { heartbeatMs?: number } = {}): SystemFactory[] {
  return [
    {
      label: 'Socket.IO',
      start: () =>
        startSocketIo(options.heartbeatMs === undefined ? {} : { pingIntervalMs: options.heartbeatMs }),
    },
    { label: 'Mosquitto (QoS 1)', start: startMosquitto },
    { label: 'raw net relay', start: startNetRelay },
  ];
}

export function selected(ctx: ScenarioContext, factories: SystemFactory[]): SystemFactory[] {
  if (ctx.systems.length === 0) return factories;
  return factories.filter((f) => ctx.systems.some((s) => f.label.toLowerCase().includes(s.toLowerCase())));
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Splits `n` items as evenly as possible over `parts`. */
export function split<T>(items: readonly T[], parts: number): T[][] {
  const out: T[][] = Array.from({ length: parts }, () => []);
  items.forEach((item, i) => out[i % parts]?.push(item));
  return out;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}
