import { UsageError } from '../errors.js';
import { ask, readFirstLine } from '../prompt.js';
import type { CliContext } from './context.js';

export const CREDENTIAL_OPTIONS = {
  username: { type: 'string', short: 'u' },
  password: { type: 'string' },
  'password-stdin': { type: 'boolean' },
} as const;

export const CREDENTIAL_HELP = `  -u, --username NAME  the account (prompted for when omitted on a terminal)
  --password PASS      the password (visible to other users of this machine in \`ps\`: prefer
                       the prompt, --password-stdin or $PARLEY_PASSWORD)
  --password-stdin     read the password from the first line of stdin`;

/** Username and password from the flags, $PARLEY_PASSWORD, stdin or terminal prompts. */
export async function credentials(
  ctx: CliContext,
  values: {
    readonly username?: string | undefined;
    readonly password?: string | undefined;
    readonly 'password-stdin'?: boolean | undefined;
  },
): Promise<{ username: string; password: string }> {
  const interactive = ctx.stdin.isTTY;
  const io = { input: ctx.stdin, output: ctx.stderr };
  let username = values.username;
  if (username === undefined) {
    if (!interactive) throw new UsageError('--username is required when stdin is not a terminal');
    username = (await ask('username: ', io)).trim();
  }
  if (username === '') throw new UsageError('the username is empty');
  let password = values.password;
  if (values['password-stdin'] === true) {
    if (password !== undefined) throw new UsageError('give --password or --password-stdin, not both');
    password = await readFirstLine(ctx.stdin);
  }
  const envPassword = ctx.env['PARLEY_PASSWORD'];
  password ??= envPassword !== undefined && envPassword !== '' ? envPassword : undefined;
  if (password === undefined) {
    if (!interactive) {
      throw new UsageError('a password is needed: --password-stdin, --password or $PARLEY_PASSWORD');
    }
    password = await ask('password: ', io, true);
  }
  if (password === '') throw new UsageError('the password is empty');
  return { username, password };
}
