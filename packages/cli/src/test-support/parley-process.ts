import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

/** The built executable: what `npm` links as `parley` (`npx tsc -b` writes it). */
export const PARLEY_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../..', import.meta.url));

export function assertBuilt(): void {
  if (!existsSync(PARLEY_MAIN)) throw new Error(`${PARLEY_MAIN} is missing: run \`npx tsc -b\` first`);
}

const INHERITED_SETTINGS = new Set(['PARLEY_SERVER', 'PARLEY_HTTP', 'PARLEY_PASSWORD', 'PARLEY_CONFIG_DIR']);

/** The environment for a parley process: its own config dir, and no inherited Parley settings. */
export function parleyEnv(configDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([key]) => !INHERITED_SETTINGS.has(key));
  return { ...Object.fromEntries(inherited), PARLEY_CONFIG_DIR: configDir, ...extra };
}

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `parley args…` to completion (killed at the deadline). */
export function runParley(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  options: { readonly input?: string; readonly timeoutMs?: number } = {},
): Promise<Finished> {
  const child = spawn(process.execPath, [PARLEY_MAIN, ...args], { env, cwd: REPO_ROOT, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  child.stdin.end(options.input ?? '');
  return new Promise<Finished>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`parley ${args.join(' ')} did not finish\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A long-running parley (tail): its output as lines, as they come. */
export interface RunningParley {
  readonly child: ChildProcess;
  readonly stdoutLines: string[];
  readonly stderrLines: string[];
  readonly exited: Promise<number | null>;
}

export function startParley(args: readonly string[], env: NodeJS.ProcessEnv): RunningParley {
  const child = spawn(process.execPath, [PARLEY_MAIN, ...args], {
    env,
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdoutLines: string[] = [];
  const stderrLines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => stdoutLines.push(l));
  createInterface({ input: child.stderr }).on('line', (l) => stderrLines.push(l));
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      resolve(code);
    });
  });
  return { child, stdoutLines, stderrLines, exited };
}

/** A 1×1 PNG and a minimal PDF: types the server's media API accepts (it sniffs the bytes). */
export const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);
export const TINY_PDF = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
