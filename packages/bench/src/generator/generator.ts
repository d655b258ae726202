/**
 * A load-generator process: it holds client endpoints of one system and runs what the scenario
 * (in the parent process) asks, over IPC. Several run side by side, each on its own source
 * addresses, so the file-descriptor limit and the 64k ports of one address are not the ceiling.
 */
import { makeDriver, type DriverOptions } from '../clients/drivers.js';
import type { Driver, Endpoint, EndpointSpec } from '../clients/endpoint.js';
import { ParleyDriver } from '../clients/parley-driver.js';
import { sleep } from '../util/clock.js';
import { serveRpc } from '../util/rpc.js';
import { FanoutListener, sendToGroup, type FanoutReport, type FanoutSendArgs } from './fanout.js';
import { runLoad, type LoadArgs } from './load.js';
import { mqttReconnectSync, parleyReconnectSync, type SyncRun } from './sync.js';

const endpoints = new Map<string, Endpoint>();
let driver: Driver | undefined;
let options: DriverOptions | undefined;
let listener: FanoutListener | undefined;

function theDriver(): Driver {
  if (driver === undefined) throw new Error('init first');
  return driver;
}

function endpoint(name: string): Endpoint {
  const e = endpoints.get(name);
  if (e === undefined) throw new Error(`no endpoint ${name} in this generator`);
  return e;
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) {
      const item = items[i];
      if (item !== undefined) await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

export interface ConnectResult {
  readonly connected: number;
  /** name → address (Parley user id) */
  readonly addresses: Record<string, string>;
  /** name → Parley login token */
  readonly tokens: Record<string, string>;
  readonly failures: number;
  readonly firstError: string;
}

const api = {
  init(args: DriverOptions): void {
    options = args;
    driver = makeDriver(args);
  },

  /** Parley only: registers users over a few connections and keeps no session. */
  async register(args: { names: string[]; connections: number }): Promise<void> {
    const d = theDriver();
    if (!(d instanceof ParleyDriver)) throw new Error('register is for Parley');
    await d.registerUsers(args.names, args.connections);
  },

  async connect(args: { specs: EndpointSpec[]; concurrency: number }): Promise<ConnectResult> {
    const d = theDriver();
    const addresses: Record<string, string> = {};
    const tokens: Record<string, string> = {};
    let failures = 0;
    let firstError = '';
    await pool(args.specs, args.concurrency, async (spec) => {
      try {
        const e = await d.connect(spec);
        endpoints.set(spec.name, e);
        addresses[spec.name] = e.address;
        tokens[spec.name] = e.token;
      } catch (err) {
        failures++;
        if (firstError === '') firstError = err instanceof Error ? err.message : String(err);
      }
    });
    return { connected: args.specs.length - failures, addresses, tokens, failures, firstError };
  },

  /** Holds every endpoint open for `durationMs`, each sending a heartbeat every `heartbeatMs`. */
  async idle(args: {
    durationMs: number;
    heartbeatMs: number;
  }): Promise<{ heartbeats: number; closed: number }> {
    const all = [...endpoints.values()];
    const tickMs = 100;
    const slots = Math.max(1, Math.round(args.heartbeatMs / tickMs));
    let heartbeats = 0;
    const end = Date.now() + args.durationMs;
    for (let tick = 0; Date.now() < end; tick++) {
      const slot = tick % slots;
      for (let i = slot; i < all.length; i += slots) {
        const e = all[i];
        if (e !== undefined && !e.isClosed) {
          e.heartbeat();
          heartbeats++;
        }
      }
      await sleep(tickMs);
    }
    return { heartbeats, closed: all.filter((e) => e.isClosed).length };
  },

  load(args: LoadArgs) {
    return runLoad(endpoints, args);
  },

  async createGroup(args: { owner: string; name: string; members: string[] }): Promise<string> {
    return theDriver().createGroup(endpoint(args.owner), args.name, args.members);
  },

  fanoutListen(args: { messages: number; members: string[] }): void {
    listener = new FanoutListener(
      args.members.map((m) => endpoint(m)),
      args.messages,
    );
  },

  fanoutSend(args: FanoutSendArgs) {
    return sendToGroup(endpoint(args.from), args);
  },

  async fanoutWait(args: { timeoutMs: number }): Promise<FanoutReport> {
    if (listener === undefined) throw new Error('fanoutListen first');
    const report = await listener.wait(args.timeoutMs);
    listener = undefined;
    return report;
  },

  /** Each sender sends `count` messages to `to`, `window` unacknowledged at a time. */
  async sendMany(args: {
    senders: string[];
    to: string;
    count: number;
    window: number;
    payloadBytes: number;
  }): Promise<{ acked: number; errors: number }> {
    let acked = 0;
    let errors = 0;
    await pool(args.senders, args.senders.length, async (name) => {
      const e = endpoint(name);
      let sent = 0;
      let done = 0;
      await new Promise<void>((resolve) => {
        const pump = () => {
          while (sent < args.count && sent - done < args.window) {
            const i = sent++;
            e.send(args.to, `${Date.now()}|${i}|${'x'.repeat(Math.max(0, args.payloadBytes - 20))}`, (ok) => {
              done++;
              if (ok) acked++;
              else errors++;
              if (done === args.count) resolve();
              else pump();
            });
          }
        };
        pump();
      });
    });
    return { acked, errors };
  },

  parleySync(args: { name: string; token: string; pullLimit: number }): Promise<SyncRun> {
    const target = options?.targets[0];
    if (target === undefined) throw new Error('init first');
    return parleyReconnectSync(target, { name: args.name, token: args.token }, args.pullLimit);
  },

  mqttSync(args: { name: string; expected: number; timeoutMs: number }): Promise<SyncRun> {
    return mqttReconnectSync(theDriver(), args.name, args.expected, args.timeoutMs);
  },

  async close(args: { names?: string[] }): Promise<void> {
    const names = args.names ?? [...endpoints.keys()];
    await pool(names, 200, async (name) => {
      const e = endpoints.get(name);
      endpoints.delete(name);
      await e?.close();
    });
  },

  cpu(): { cpuMs: number; rssBytes: number } {
    const c = process.cpuUsage();
    return { cpuMs: (c.user + c.system) / 1000, rssBytes: process.memoryUsage.rss() };
  },
};

export type GeneratorApi = typeof api;

serveRpc(api);
process.send?.({ ready: true });
