import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root (packages/bench/{src,dist}/util → ../../../..). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * Whether this code runs from TypeScript sources (tests, through tsx) or from dist/ (`npm run
 * bench`). Child processes run the same way as their parent.
 */
export const FROM_SOURCE = import.meta.url.endsWith('.ts');

export const SOURCE_EXEC_ARGV = ['--conditions=parley-source', '--import', 'tsx'];

/** A module of this package by its path under src/ without extension, as this process would load it. */
export function benchModule(path: string): string {
  return fileURLToPath(new URL(`../${path}.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url));
}

export interface ForkedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The last lines it wrote, for error messages. */
  tail(): string;
  readonly exited: Promise<number | string>;
}

/** Forks one of this package's modules with an IPC channel; stdout and stderr are kept, not shown. */
export function forkBenchModule(path: string, env: Record<string, string> = {}): ForkedProcess {
  const child = fork(benchModule(path), [], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    execArgv: FROM_SOURCE ? SOURCE_EXEC_ARGV : [],
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(
      ...chunk
        .toString()
        .split('\n')
        .filter((l) => l !== ''),
    );
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve(code ?? signal ?? -1);
    });
  });
  if (child.pid === undefined) throw new Error(`could not fork ${path}`);
  return { child, pid: child.pid, tail: () => lines.slice(-40).join('\n'), exited };
}

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(
  child: ChildProcess,
  exited: Promise<unknown>,
  graceMs = 10_000,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
