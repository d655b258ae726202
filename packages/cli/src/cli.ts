import { readFileSync } from 'node:fs';
import { ParleyError } from '@parley/sdk';
import { GLOBAL_HELP, splitCommand } from './args.js';
import { CHAT_HELP } from './chat-help.js';
import { configDir } from './config-dir.js';
import { CliError, UsageError, describeError } from './errors.js';
import type { CliContext, CommandSpec } from './commands/context.js';
import { historyCommand } from './commands/history.js';
import { loginCommand } from './commands/login.js';
import { logoutCommand } from './commands/logout.js';
import { registerCommand } from './commands/register.js';
import { sendCommand } from './commands/send.js';
import { tailCommand } from './commands/tail.js';
import { claimCommand } from './commands/claim.js';
import { walletCommand } from './commands/wallet.js';
import { SessionStore } from './session-store.js';

/** The interactive client is loaded on demand: scripts never pay for React and ink. */
const chatCommand: CommandSpec = {
  name: 'chat',
  summary: 'the interactive chat client (also: `parley` alone)',
  help: CHAT_HELP,
  async run(ctx, args) {
    // ink draws only a final frame when it thinks it runs in CI (is-in-ci reads these when ink is
    // first imported). The chat client always runs on a real terminal, where they do not apply.
    delete process.env['CI'];
    delete process.env['CONTINUOUS_INTEGRATION'];
    const { runChat } = await import('./commands/chat.js');
    return runChat(ctx, args);
  },
};

export const COMMANDS: readonly CommandSpec[] = [
  chatCommand,
  loginCommand,
  registerCommand,
  sendCommand,
  tailCommand,
  historyCommand,
  walletCommand,
  claimCommand,
  logoutCommand,
];

function version(): string {
  // dist/cli.js and src/cli.ts both sit one level below package.json.
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? 'unknown';
}

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `parley ${version()}: the Parley terminal client

Usage: parley [command] [options]      (no command: the interactive chat client)

Commands:
${lines.join('\n')}
  help [command]  show help for a command

Run \`parley <command> --help\` for a command's options.

${GLOBAL_HELP}
  -V, --version        print the version

Environment: PARLEY_CONFIG_DIR (where the session is saved), PARLEY_SERVER, PARLEY_GATEWAY,
PARLEY_HTTP, PARLEY_PASSWORD (for login/register in scripts).`;
}

export function defaultContext(stop: AbortSignal): CliContext {
  return {
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    store: new SessionStore(configDir()),
    stop,
  };
}

/** Runs one `parley` invocation; returns the exit code. Errors are printed, never thrown. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  const { command: name, rest } = splitCommand(argv);
  let command: CommandSpec | undefined;
  try {
    if (name === undefined && (rest.includes('--version') || rest.includes('-V'))) {
      ctx.stdout.write(`${version()}\n`);
      return 0;
    }
    if (name === 'help' || (name === undefined && (rest.includes('--help') || rest.includes('-h')))) {
      const topic = name === 'help' ? rest.find((a) => !a.startsWith('-')) : undefined;
      const spec = topic === undefined ? undefined : COMMANDS.find((c) => c.name === topic);
      if (topic !== undefined && spec === undefined) throw new UsageError(`unknown command "${topic}"`);
      ctx.stdout.write(`${spec === undefined ? mainHelp() : spec.help}\n`);
      return 0;
    }
    command = name === undefined ? chatCommand : COMMANDS.find((c) => c.name === name);
    if (command === undefined) throw new UsageError(`unknown command "${name ?? ''}"`);
    return await command.run(ctx, rest);
  } catch (err) {
    if (err instanceof UsageError) {
      ctx.stderr.write(
        `parley: ${err.message}\nRun \`parley ${command === undefined || command === chatCommand ? '' : `${command.name} `}--help\` for usage.\n`,
      );
      return err.exitCode;
    }
    if (err instanceof CliError) {
      ctx.stderr.write(`parley: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof ParleyError) {
      ctx.stderr.write(`parley: ${err.message}\n`);
      return 1;
    }
    ctx.stderr.write(
      `parley: unexpected error: ${err instanceof Error ? (err.stack ?? describeError(err)) : String(err)}\n`,
    );
    return 1;
  }
}
