import type { DriverOptions } from '../clients/drivers.js';
import { forkBenchModule, stopChild, type ForkedProcess } from '../util/fork.js';
import { RpcClient } from '../util/rpc.js';
import type { GeneratorApi } from './generator.js';

export type Generator = RpcClient<GeneratorApi>;

/** Load-generator processes for one system, started and initialised together. */
export class GeneratorPool {
  private constructor(
    readonly gens: Generator[],
    private readonly procs: ForkedProcess[],
  ) {}

  static async start(count: number, init: DriverOptions): Promise<GeneratorPool> {
    const procs: ForkedProcess[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const proc = forkBenchModule('generator/generator');
        procs.push(proc);
        await new Promise<void>((resolve, reject) => {
          proc.child.once('message', () => {
            resolve();
          });
          void proc.exited.then((code) => {
            reject(new Error(`generator exited (${String(code)}) during start:\n${proc.tail()}`));
          });
        });
      }
      const gens = procs.map((p) => new RpcClient<GeneratorApi>(p));
      await Promise.all(gens.map((g) => g.call('init', init)));
      return new GeneratorPool(gens, procs);
    } catch (err) {
      await Promise.all(procs.map((p) => stopChild(p.child, p.exited, 1000)));
      throw err;
    }
  }

  get pids(): number[] {
    return this.procs.map((p) => p.pid);
  }

  /** The generator at `i` (round-robin). */
  at(i: number): Generator {
    const g = this.gens[i % this.gens.length];
    if (g === undefined) throw new Error('empty generator pool');
    return g;
  }

  async stop(): Promise<void> {
    await Promise.all(this.gens.map((g) => g.call('close', {}, 30_000).catch(() => undefined)));
    await Promise.all(this.procs.map((p) => stopChild(p.child, p.exited, 2000)));
  }

  /** Kills without closing endpoints (when the server is already gone, or closing would cost). */
  async kill(): Promise<void> {
    await Promise.all(this.procs.map((p) => stopChild(p.child, p.exited, 0)));
  }
}
