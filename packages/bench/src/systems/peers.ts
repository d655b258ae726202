import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forkBenchModule, stopChild, type ForkedProcess } from '../util/fork.js';
import { freePort } from '../util/ports.js';
import { waitForTcp, type RunningSystem } from './running-system.js';

export const MOSQUITTO_BIN = process.env['PARLEY_BENCH_MOSQUITTO'] ?? '/usr/sbin/mosquitto';

async function forkRelay(path: string, env: Record<string, string>): Promise<ForkedProcess> {
  const proc = forkBenchModule(path, env);
  await new Promise<void>((resolve, reject) => {
    proc.child.once('message', () => {
      resolve();
    });
    void proc.exited.then((code) => {
      reject(new Error(`${path} exited (${String(code)}) during start:\n${proc.tail()}`));
    });
  });
  return proc;
}

export interface SocketIoOptions {
  /** Nodes sharing one Redis adapter; 1 = a single process without Redis. */
  readonly nodes?: number;
  readonly redisUrl?: string;
  readonly pingIntervalMs?: number;
}

/** The Socket.IO relay: one process, or `nodes` processes joined by the Redis adapter. */
export async function startSocketIo(options: SocketIoOptions = {}): Promise<RunningSystem> {
  const count = options.nodes ?? 1;
  const key = `socket.io-bench-${randomBytes(4).toString('hex')}`;
  const procs: ForkedProcess[] = [];
  const ports: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      procs.push(
        await forkRelay('systems/socketio-relay', {
          BENCH_PORT: String(port),
          BENCH_PING_INTERVAL_MS: String(options.pingIntervalMs ?? 25_000),
          ...(options.redisUrl === undefined
            ? {}
            : { BENCH_REDIS_URL: options.redisUrl, BENCH_REDIS_KEY: key }),
        }),
      );
      ports.push(port);
    }
  } catch (err) {
    await Promise.all(procs.map((p) => stopChild(p.child, p.exited)));
    throw err;
  }
  return {
    label: options.redisUrl === undefined ? 'Socket.IO' : 'Socket.IO (Redis adapter)',
    kind: 'socketio',
    targets: ports.map((port) => ({ host: '127.0.0.1', port })),
    pids: procs.map((p) => p.pid),
    async stop(stopOptions) {
      await Promise.all(
        procs.map((p) => stopChild(p.child, p.exited, stopOptions?.fast === true ? 0 : 5000)),
      );
    },
  };
}

export async function startNetRelay(): Promise<RunningSystem> {
  const port = await freePort();
  const proc = await forkRelay('systems/net-relay', { BENCH_PORT: String(port) });
  return {
    label: 'raw net relay',
    kind: 'net',
    targets: [{ host: '127.0.0.1', port }],
    pids: [proc.pid],
    async stop() {
      await stopChild(proc.child, proc.exited, 2000);
    },
  };
}

/**
 * Our own Mosquitto on a free port with a temporary config: in-memory, QoS 1 queues large enough
 * for the reconnect scenario, Nagle off (as every other system here).
 */
export async function startMosquitto(): Promise<RunningSystem> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-mosquitto-'));
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(
    config,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'max_queued_messages 1000000',
      'set_tcp_nodelay true',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      '',
    ].join('\n'),
  );
  const child = spawn(MOSQUITTO_BIN, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  const lines: string[] = [];
  child.stderr.on('data', (c: Buffer) => lines.push(c.toString()));
  let alive = true;
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      alive = false;
      resolve(code ?? signal ?? -1);
    });
    child.once('error', (err) => {
      alive = false;
      lines.push(String(err));
      resolve(-1);
    });
  });
  try {
    await waitForTcp('127.0.0.1', port, 10_000, () => alive);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`mosquitto (${MOSQUITTO_BIN}) did not start: ${String(err)}\n${lines.join('')}`, {
      cause: err,
    });
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('mosquitto has no pid');
  return {
    label: 'Mosquitto (QoS 1)',
    kind: 'mqtt',
    targets: [{ host: '127.0.0.1', port }],
    pids: [pid],
    async stop() {
      await stopChild(child, exited, 3000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
