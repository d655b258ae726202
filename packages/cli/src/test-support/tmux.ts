import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { until } from './poll.js';

/** Quotes one word for the shell tmux runs the command with. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A tmux server of its own (a private socket, `-L`), one detached session of a fixed size, and
 * the calls a test needs: type, press keys, read the screen, wait for text.
 */
export class TmuxSession {
  readonly socket = `parley-test-${String(process.pid)}-${randomBytes(4).toString('hex')}`;
  private started = false;

  constructor(
    readonly width = 110,
    readonly height = 32,
  ) {}

  private tmux(args: readonly string[]): string {
    const res = spawnSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
    if (res.error !== undefined) throw res.error;
    if (res.status !== 0) throw new Error(`tmux ${args.join(' ')} failed: ${res.stderr}`);
    return res.stdout;
  }

  /** Starts `command` (a shell command line) in window `name`; the first call creates the session. */
  start(name: string, command: string): void {
    if (!this.started) {
      this.tmux([
        'new-session',
        '-d',
        '-s',
        'test',
        '-n',
        name,
        '-x',
        String(this.width),
        '-y',
        String(this.height),
        command,
      ]);
      this.started = true;
      // Keep a finished program's last screen (and its exit line) readable.
      this.tmux(['set-option', '-t', 'test', 'remain-on-exit', 'on']);
    } else {
      this.tmux(['new-window', '-t', 'test', '-n', name, command]);
    }
  }

  /** Literal text, as if typed. */
  type(window: string, text: string): void {
    this.tmux(['send-keys', '-t', `test:${window}`, '-l', text]);
  }

  /** Named keys: Enter, Tab, BTab, PPage, NPage, Escape, C-c... */
  press(window: string, ...keys: string[]): void {
    this.tmux(['send-keys', '-t', `test:${window}`, ...keys]);
  }

  screen(window: string): string {
    return this.tmux(['capture-pane', '-p', '-t', `test:${window}`]);
  }

  /** A tmux format value of the window, e.g. `#{window_bell_flag}`. */
  format(window: string, format: string): string {
    return this.tmux(['display-message', '-p', '-t', `test:${window}`, format]).trim();
  }

  async waitFor(window: string, pattern: string | RegExp, timeoutMs = 15_000): Promise<string> {
    return until(
      () => {
        const s = this.screen(window);
        return (typeof pattern === 'string' ? s.includes(pattern) : pattern.test(s)) ? s : undefined;
      },
      `"${String(pattern)}" on the tmux screen`,
      timeoutMs,
      () => this.screen(window),
    );
  }

  /** Stops the tmux server (and every program in it) and removes its socket file. */
  kill(): void {
    if (!this.started) return;
    const path = spawnSync('tmux', ['-L', this.socket, 'display-message', '-p', '#{socket_path}'], {
      encoding: 'utf8',
    }).stdout.trim();
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { encoding: 'utf8' });
    if (path.endsWith(this.socket)) rmSync(path, { force: true });
    this.started = false;
  }
}
