import { Platform } from '@parley/sdk/node';
import { GLOBAL_HELP, parseCommandArgs } from '../args.js';
import { createClient, newDeviceId, passwordSignIn } from '../connect.js';
import { connectError } from '../connect-errors.js';
import { UsageError } from '../errors.js';
import { resolveEndpoints } from '../server-address.js';
import type { CliContext, CommandSpec } from './context.js';
import { CREDENTIAL_HELP, CREDENTIAL_OPTIONS, credentials } from './credentials.js';

const HELP = `Usage: parley login [--username NAME] [--password-stdin] [--server HOST:PORT | --gateway URL,…]

Signs in and saves the session (server or gateway URLs, HTTP address, tokens) in the config
directory ($PARLEY_CONFIG_DIR, else $XDG_CONFIG_HOME/parley or ~/.config/parley;
%APPDATA%\\parley on Windows), readable only by you. Later commands use it until
\`parley logout\`.

${CREDENTIAL_HELP}

${GLOBAL_HELP}`;

export const loginCommand: CommandSpec = {
  name: 'login',
  summary: 'sign in and save the session',
  help: HELP,
  run: async (ctx, args) => signIn(ctx, args, false),
};

/** `login` and `register` share everything but the account creation. */
export async function signIn(ctx: CliContext, args: readonly string[], register: boolean): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, {
    ...CREDENTIAL_OPTIONS,
    'display-name': { type: 'string' },
  });
  if (values.help === true) {
    ctx.stdout.write(`${register ? REGISTER_HELP : HELP}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"`);
  if (!register && values['display-name'] !== undefined)
    throw new UsageError('--display-name is for `parley register`');
  const saved = await ctx.store.load();
  const endpoints = resolveEndpoints(values, saved, ctx.env);
  const { username, password } = await credentials(ctx, values);
  const deviceId = saved?.deviceId ?? newDeviceId();
  const client = createClient(endpoints, { deviceId, platform: Platform.PC });
  try {
    if (register) await client.register(username, password, values['display-name'] ?? '');
    const session = await passwordSignIn(client, endpoints, username, password, deviceId);
    await ctx.store.save(session);
    ctx.stdout.write(
      `${register ? 'registered and signed in' : 'signed in'} as ${session.username} (user id ${session.userId}) on ${endpoints.serverText}\n`,
    );
    return 0;
  } catch (err) {
    throw connectError(err, endpoints.serverText);
  } finally {
    client.close();
  }
}

export const REGISTER_HELP = `Usage: parley register [--username NAME] [--display-name NAME] [--password-stdin]

Creates an account, then signs in as \`parley login\` does and saves the session.

${CREDENTIAL_HELP}
  --display-name NAME  the name others see (default: the username)

${GLOBAL_HELP}`;
