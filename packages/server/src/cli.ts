#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ParleyError } from '@parley/protocol';
import { startApp, openStore, createServices } from './app.js';
import { WorkerIdsExhaustedError } from './core/cluster.js';
import { CONFIG_KEYS, ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';

const HELP = `parley-server: the Parley instant-messaging server

Usage:
  parley-server start                              run the server (Ctrl-C stops it gracefully)
  parley-server user add <username> <password> [--display-name NAME]
                                                   create a user
  parley-server wallet credit <username> <amount>  add to a user's balance (smallest unit, e.g. cents)
  parley-server --help                             this text

Configuration comes from environment variables (or a JSON file named by PARLEY_CONFIG with the
same keys; the environment wins):
${CONFIG_KEYS.map((k) => `  ${k.env.padEnd(30)} ${k.doc}${k.default === undefined ? '' : ` (default ${String(k.default)})`}`).join('\n')}
`;

async function userAdd(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'display-name': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help === true) {
    process.stdout.write('Usage: parley-server user add <username> <password> [--display-name NAME]\n');
    return 0;
  }
  const [username, password] = positionals;
  if (username === undefined || password === undefined || positionals.length > 2) {
    process.stderr.write('usage: parley-server user add <username> <password> [--display-name NAME]\n');
    return 2;
  }
  const config = loadConfig();
  const store = openStore(config);
  try {
    await store.migrate();
    const { auth } = createServices(config, store);
    const user = await auth.register(username, password, values['display-name'] ?? '');
    process.stdout.write(`created user ${user.username} with id ${user.id}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

async function walletCredit(args: string[]): Promise<number> {
  const usage = 'usage: parley-server wallet credit <username> <amount>\n';
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' } },
  });
  if (values.help === true) {
    process.stdout.write(usage);
    return 0;
  }
  const [username, amountText] = positionals;
  if (
    username === undefined ||
    amountText === undefined ||
    positionals.length > 2 ||
    !/^\d{1,15}$/.test(amountText)
  ) {
    process.stderr.write(usage);
    return 2;
  }
  const config = loadConfig();
  const store = openStore(config);
  try {
    await store.migrate();
    const { users, redPackets } = createServices(config, store);
    const user = await users.byUsername(username);
    if (user === undefined) throw new ConfigError(`no user named ${username}`);
    const balance = await redPackets.credit(user.id, Number(amountText));
    process.stdout.write(`credited ${amountText} to ${user.username}: balance ${balance}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

async function start(): Promise<number> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const app = await startApp(config, log);
  let code = 0;
  await new Promise<void>((resolve) => {
    app.onFatal(() => {
      code = 1;
      // startApp is stopping the node already.
      app.stop().then(resolve, resolve);
    });
    const stop = (signal: string) => {
      log.info({ signal }, 'signal received');
      app.stop().then(resolve, (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return code;
}

async function main(argv: string[]): Promise<number> {
  const [command, sub, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === 'start') {
    if (sub === '--help' || sub === '-h') {
      process.stdout.write(HELP);
      return 0;
    }
    return start();
  }
  if (command === 'user' && sub === 'add') return userAdd(rest);
  if (command === 'wallet' && sub === 'credit') return walletCredit(rest);
  process.stderr.write(`unknown command: ${argv.join(' ')}\n\n${HELP}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof ParleyError || err instanceof WorkerIdsExhaustedError)
      process.stderr.write(`error: ${err.message}\n`);
    else process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
