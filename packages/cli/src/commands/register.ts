import type { CommandSpec } from './context.js';
import { REGISTER_HELP, signIn } from './login.js';

export const registerCommand: CommandSpec = {
  name: 'register',
  summary: 'create an account, sign in and save the session',
  help: REGISTER_HELP,
  run: async (ctx, args) => signIn(ctx, args, true),
};
