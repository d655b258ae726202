import { Platform } from '@parley/sdk/node';
import { GLOBAL_HELP, parseCommandArgs } from '../args.js';
import { botDeviceId, createClient } from '../connect.js';
import { describeError, UsageError } from '../errors.js';
import { resolveEndpoints } from '../server-address.js';
import type { CommandSpec } from './context.js';

const HELP = `Usage: parley logout

Revokes the saved session's tokens on the server and deletes the session and the chat client's
state from the config directory. Without a connection to the server the local files are deleted
anyway (the tokens then stay valid until they expire).

${GLOBAL_HELP}`;

export const logoutCommand: CommandSpec = {
  name: 'logout',
  summary: 'revoke the saved session and forget it',
  help: HELP,
  async run(ctx, args) {
    const { values, positionals } = parseCommandArgs(args, {});
    if (values.help === true) {
      ctx.stdout.write(`${HELP}\n`);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"`);
    const session = await ctx.store.load();
    if (session === undefined) {
      await ctx.store.clear();
      ctx.stdout.write('not signed in\n');
      return 0;
    }
    // The session's server (or gateway), unless --server / --gateway names another.
    const target = resolveEndpoints(values, session, ctx.env);
    const tokens = [
      { token: session.token, deviceId: session.deviceId, platform: Platform.PC },
      ...(session.botToken === undefined
        ? []
        : [{ token: session.botToken, deviceId: botDeviceId(session.deviceId), platform: Platform.BOT }]),
    ];
    let failure: string | undefined;
    for (const t of tokens) {
      const client = createClient(target, { deviceId: t.deviceId, platform: t.platform });
      try {
        await client.login({ token: t.token });
        await client.logout();
      } catch (err) {
        // A token that is already dead needs no revoking; anything else is worth a warning.
        const message = describeError(err);
        if (!/revoked|expired|unknown token/i.test(message)) failure = message;
      } finally {
        client.close();
      }
    }
    await ctx.store.clear();
    if (failure !== undefined) {
      ctx.stderr.write(
        `parley: could not revoke the session on the server (${failure}); deleted it locally\n`,
      );
    }
    ctx.stdout.write(`signed out ${session.username}\n`);
    return 0;
  },
};
