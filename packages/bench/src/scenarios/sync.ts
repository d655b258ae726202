import { GeneratorPool } from '../generator/pool.js';
import type { SyncRun } from '../generator/sync.js';
import type { SyncResult } from '../report/types.js';
import { startMosquitto } from '../systems/peers.js';
import type { RunningSystem } from '../systems/running-system.js';
import {
  errorText,
  median,
  parleyFactory,
  selected,
  type ScenarioContext,
  type SystemFactory,
} from './context.js';

const DEVICE = 'sync-device';

/**
 * Scenario 4: a device was offline while `conversations` peers each sent it `perConversation`
 * messages; how long from reconnecting until it holds them all. Parley: LOGIN, SYNC, MP
 * (generator/sync.ts). Mosquitto's counterpart is a persistent session replaying its queue;
 * Socket.IO and the raw relay keep nothing for an absent client, so they have no entry.
 */
export async function runSync(ctx: ScenarioContext): Promise<SyncResult[]> {
  const p = ctx.params.sync;
  const total = p.conversations * p.perConversation;
  const factories: SystemFactory[] = selected(ctx, [
    ...p.stores.map((s) => parleyFactory(s)),
    { label: 'Mosquitto (QoS 1)', start: startMosquitto },
  ]);
  const results: SyncResult[] = [];
  for (const factory of factories) {
    ctx.log(`sync: ${factory.label}, ${total} messages over ${p.conversations} conversations`);
    let system: RunningSystem | undefined;
    let pool: GeneratorPool | undefined;
    let setupSeconds = 0;
    const runs: SyncRun[] = [];
    try {
      const sys = await factory.start();
      system = sys;
      const gens = await GeneratorPool.start(1, { kind: sys.kind, targets: sys.targets });
      pool = gens;
      const gen = gens.at(0);
      const parley = sys.kind === 'parley';
      const device = await gen.call('connect', {
        specs: [{ name: DEVICE, register: parley, persistent: true }],
        concurrency: 1,
      });
      if (device.failures > 0) throw new Error(`the device failed to connect: ${device.firstError}`);
      const token = device.tokens[DEVICE] ?? '';
      const address = device.addresses[DEVICE] ?? DEVICE;
      await gen.call('close', { names: [DEVICE] });
      const senders = Array.from({ length: p.conversations }, (_, i) => `peer${i}`);
      const c = await gen.call('connect', {
        specs: senders.map((name) => ({ name, register: parley })),
        concurrency: 32,
      });
      if (c.failures > 0) throw new Error(`${c.failures} peers failed to connect: ${c.firstError}`);
      const fill = async () => {
        const t0 = performance.now();
        const r = await gen.call('sendMany', {
          senders,
          to: address,
          count: p.perConversation,
          window: 20,
          payloadBytes: ctx.params.payloadBytes,
        });
        if (r.acked !== total) throw new Error(`only ${r.acked} of ${total} messages were acknowledged`);
        setupSeconds += (performance.now() - t0) / 1000;
      };
      // Parley keeps the messages, so one fill serves every run; a broker's queue empties on replay.
      if (parley) await fill();
      for (let i = 0; i < p.runs; i++) {
        if (!parley) await fill();
        const run = parley
          ? await gen.call('parleySync', { name: DEVICE, token, pullLimit: 200 })
          : await gen.call('mqttSync', { name: DEVICE, expected: total, timeoutMs: 60_000 });
        if (run.messages !== total) throw new Error(`the device got ${run.messages} of ${total} messages`);
        runs.push(run);
        ctx.log(
          `sync: ${factory.label}: ${run.messages} messages in ${run.totalMs.toFixed(1)} ms ` +
            `(login ${run.loginMs.toFixed(1)}, sync ${run.syncMs.toFixed(1)}, pull ${run.pullMs.toFixed(1)})`,
        );
      }
      results.push(summary(factory.label, p.conversations, total, setupSeconds, runs));
    } catch (err) {
      ctx.log(`sync: ${factory.label} failed: ${errorText(err)}`);
      results.push({
        ...summary(factory.label, p.conversations, total, setupSeconds, runs),
        error: errorText(err),
      });
    } finally {
      await pool?.kill();
      await system?.stop({ fast: true });
    }
  }
  return results;
}

function summary(
  system: string,
  conversations: number,
  messages: number,
  setupSeconds: number,
  runs: SyncRun[],
): SyncResult {
  const totals = runs.map((r) => r.totalMs);
  return {
    system,
    conversations,
    messages,
    setupSeconds,
    runs,
    medianMs: median(totals),
    bestMs: totals.length === 0 ? 0 : Math.min(...totals),
  };
}
