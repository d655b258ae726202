import type { ParleyStore } from './systems/parley-server.js';

/** tiny: the CI smoke test (seconds); quick: `npm run bench` (< 5 min on 2 cores); full: `--full`. */
export const MODES = ['tiny', 'quick', 'full'] as const;
export type Mode = (typeof MODES)[number];

export interface IdleParams {
  readonly connections: number;
  /** Generator processes; each holds connections/generators sockets (fd limit 20,000 a process). */
  readonly generators: number;
  /** 127.0.0.x source addresses the connections are spread over. */
  readonly sources: number;
  readonly settleMs: number;
  readonly windowMs: number;
  readonly heartbeatMs: number;
}

export interface OneToOneParams {
  readonly pairs: number;
  readonly generators: number;
  /** Offered loads in messages per second; 0 = maximum (closed loop). */
  readonly rates: readonly number[];
  readonly warmupMs: number;
  readonly stepMs: number;
  readonly drainMs: number;
  /** Closed loop: undelivered messages per pair. */
  readonly window: number;
  readonly stores: readonly ParleyStore[];
}

export interface FanoutPhaseParams {
  readonly messages: number;
  readonly rate: number;
}

export interface FanoutParams {
  readonly members: number;
  readonly generators: number;
  /** A few messages, spaced out: latency to the last member without queueing. */
  readonly light: FanoutPhaseParams;
  /** Many messages at once: the deliveries per second the system sustains. */
  readonly burst: FanoutPhaseParams;
  readonly timeoutMs: number;
}

export interface SyncParams {
  readonly conversations: number;
  readonly perConversation: number;
  readonly runs: number;
  readonly stores: readonly ParleyStore[];
}

export interface ClusterParams {
  readonly pairs: number;
  readonly rate: number;
  readonly warmupMs: number;
  readonly stepMs: number;
}

export interface Params {
  readonly payloadBytes: number;
  readonly idle: IdleParams;
  readonly oneToOne: OneToOneParams;
  readonly fanout: FanoutParams;
  readonly sync: SyncParams;
  readonly cluster: ClusterParams;
}

const PAYLOAD_BYTES = 100;

export const PARAMS: Record<Mode, Params> = {
  tiny: {
    payloadBytes: PAYLOAD_BYTES,
    idle: { connections: 20, generators: 2, sources: 2, settleMs: 200, windowMs: 1000, heartbeatMs: 500 },
    oneToOne: {
      pairs: 4,
      generators: 2,
      rates: [200, 0],
      warmupMs: 200,
      stepMs: 600,
      drainMs: 10_000,
      window: 2,
      stores: ['sqlite', 'postgres'],
    },
    fanout: {
      members: 10,
      generators: 2,
      light: { messages: 3, rate: 20 },
      burst: { messages: 5, rate: 200 },
      timeoutMs: 20_000,
    },
    sync: { conversations: 5, perConversation: 10, runs: 1, stores: ['sqlite', 'postgres'] },
    cluster: { pairs: 4, rate: 100, warmupMs: 200, stepMs: 600 },
  },
  quick: {
    payloadBytes: PAYLOAD_BYTES,
    idle: { connections: 5000, generators: 2, sources: 4, settleMs: 1500, windowMs: 4000, heartbeatMs: 4000 },
    oneToOne: {
      pairs: 100,
      generators: 2,
      rates: [1000, 5000, 10_000, 20_000, 0],
      warmupMs: 750,
      stepMs: 2500,
      drainMs: 5000,
      window: 32,
      stores: ['sqlite', 'postgres'],
    },
    fanout: {
      members: 2000,
      generators: 2,
      light: { messages: 10, rate: 5 },
      burst: { messages: 100, rate: 1000 },
      timeoutMs: 60_000,
    },
    sync: { conversations: 100, perConversation: 100, runs: 3, stores: ['sqlite', 'postgres'] },
    cluster: { pairs: 50, rate: 500, warmupMs: 750, stepMs: 2500 },
  },
  full: {
    payloadBytes: PAYLOAD_BYTES,
    idle: {
      connections: 18_000,
      generators: 4,
      sources: 8,
      settleMs: 5000,
      windowMs: 60_000,
      heartbeatMs: 30_000,
    },
    oneToOne: {
      pairs: 200,
      generators: 2,
      rates: [1000, 2000, 5000, 10_000, 15_000, 20_000, 30_000, 50_000, 0],
      warmupMs: 2000,
      stepMs: 10_000,
      drainMs: 10_000,
      window: 32,
      stores: ['sqlite', 'postgres'],
    },
    fanout: {
      members: 10_000,
      generators: 4,
      light: { messages: 20, rate: 2 },
      burst: { messages: 200, rate: 1000 },
      timeoutMs: 180_000,
    },
    sync: { conversations: 100, perConversation: 100, runs: 5, stores: ['sqlite', 'postgres'] },
    cluster: { pairs: 100, rate: 1000, warmupMs: 2000, stepMs: 10_000 },
  },
};
