import type { ChildProcess } from 'node:child_process';
import type { ForkedProcess } from './fork.js';

/**
 * Request/response over a forked child's IPC channel. An API is a map of operations, each taking
 * one argument object; the child serves it with `serveRpc`, the parent calls it with `RpcClient`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a map of one-argument functions of any shape
export type RpcApi = Record<string, (args: any) => unknown>;

interface RpcRequest {
  readonly rpc: number;
  readonly op: string;
  readonly args: unknown;
}

type RpcResponse =
  | { readonly rpc: number; readonly ok: true; readonly result: unknown }
  | { readonly rpc: number; readonly ok: false; readonly error: string };

/** Child side: answers every request with the handler's result or its error message. */
export function serveRpc(api: RpcApi): void {
  process.on('message', (message: RpcRequest) => {
    const handler = api[message.op];
    const reply = (r: RpcResponse) => process.send?.(r);
    if (handler === undefined) {
      reply({ rpc: message.rpc, ok: false, error: `unknown operation ${message.op}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.args))
      .then(
        (result) => {
          reply({ rpc: message.rpc, ok: true, result });
        },
        (err: unknown) => {
          reply({
            rpc: message.rpc,
            ok: false,
            error: err instanceof Error ? (err.stack ?? err.message) : String(err),
          });
        },
      );
  });
  // A child whose parent is gone has nobody to report to.
  process.on('disconnect', () => process.exit(0));
}

export class RpcClient<Api extends RpcApi> {
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private next = 1;
  private readonly child: ChildProcess;

  constructor(private readonly proc: ForkedProcess) {
    this.child = proc.child;
    this.child.on('message', (message: RpcResponse) => {
      const p = this.pending.get(message.rpc);
      if (p === undefined) return;
      this.pending.delete(message.rpc);
      if (message.ok) p.resolve(message.result);
      else p.reject(new Error(message.error));
    });
    void proc.exited.then((code) => {
      const err = new Error(`process ${proc.pid} exited (${String(code)}):\n${proc.tail()}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.proc.pid;
  }

  call<K extends keyof Api & string>(
    op: K,
    args: Parameters<Api[K]>[0],
    timeoutMs = 600_000,
  ): Promise<Awaited<ReturnType<Api[K]>>> {
    const rpc = this.next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rpc);
        reject(new Error(`${op} timed out after ${timeoutMs} ms in process ${this.proc.pid}`));
      }, timeoutMs);
      this.pending.set(rpc, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as Awaited<ReturnType<Api[K]>>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ rpc, op, args } satisfies RpcRequest);
    });
  }
}
