import { ConnectionState, MemoryStorage, Platform, conversationKey } from '@parley/sdk/node';
import { GLOBAL_HELP, parseCommandArgs } from '../args.js';
import { botDeviceId, createClient } from '../connect.js';
import { connectError } from '../connect-errors.js';
import { CliError, UsageError, describeError } from '../errors.js';
import { liveHttp } from '../gateway-http.js';
import { HttpApi } from '../http-api.js';
import { toMessageJson } from '../json-line.js';
import { fromNative, type MessageView } from '../message-view.js';
import { formatServer } from '../server-address.js';
import { textLine } from '../text-line.js';
import { UserDirectory } from '../user-directory.js';
import { signedIn, type CommandSpec } from './context.js';

const HELP = `Usage: parley tail [--json] [--include-own]

Prints messages as they arrive, until interrupted (Ctrl+C, SIGTERM). Status goes to stderr
("listening as ..." once it is connected and caught up), messages to stdout:
  text:    [2025-01-31 12:00:00] @bob #12 bob: hello
  --json:  one JSON object per line: conversation {type, target}, to (the address to reply to
           with \`parley send\`), seq, messageId, clientMsgId, senderId, sender (username),
           senderName, own, time (ms), contentType (text, image, file, system, ...), text,
           summary (readable form of any content), media {url, name, mime, size, ...},
           system (kind of a SYSTEM message), redPacket {packetId, total (cents),
           count, mode, greeting, expiresAt, senderId}, call {media, outcome, durationMs,
           callId, callerId}, recalled, edited

Only messages sent after tail started are printed (it reads the conversation heads over the
HTTP API first), each once, in order per conversation, across reconnects. tail signs in as the
session's "bot" device, so it runs alongside the chat client; a second tail of the same account
replaces the first. With --gateway it says on stderr which node it connected to ("connected to
node NAME (HOST:PORT)"), and a reconnect goes to another node if that one is gone.

  --json          JSON lines instead of text
  --include-own   also print this account's own messages (sent from other devices or scripts)

${GLOBAL_HELP}`;

export const tailCommand: CommandSpec = {
  name: 'tail',
  summary: 'print incoming messages as they arrive (--json: JSON lines)',
  help: HELP,
  async run(ctx, args) {
    const { values, positionals } = parseCommandArgs(args, {
      json: { type: 'boolean' },
      'include-own': { type: 'boolean' },
    });
    if (values.help === true) {
      ctx.stdout.write(`${HELP}\n`);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"`);
    const { endpoints, session } = await signedIn(ctx, values);
    const status = (line: string) => ctx.stderr.write(`tail: ${line}\n`);
    const bot = session.botToken !== undefined;
    if (!bot) status('no bot token in the session (sign in again); using the chat device, which it replaces');

    // Start at the conversations' heads, so the first sync does not replay history.
    const storage = new MemoryStorage();
    const primed = new Set<string>();
    try {
      for (const c of await new HttpApi(await liveHttp(endpoints), session.token).conversations()) {
        await storage.saveCursor(conversationKey(c.ref), c.maxSeq);
        primed.add(conversationKey(c.ref));
      }
    } catch (err) {
      status(
        `could not read the conversation heads (${describeError(err)}); skipping the first sync instead`,
      );
    }

    let where = endpoints.serverText;
    const client = createClient(endpoints, {
      deviceId: bot ? botDeviceId(session.deviceId) : session.deviceId,
      platform: bot ? Platform.BOT : Platform.PC,
      storage,
      onNode: (node) => {
        where = `${node.name} (${formatServer(node.tcp)})`;
        status(`connected to node ${where}`);
      },
    });
    const users = new UserDirectory(async (ids) =>
      (await client.users.get(ids.map((id) => BigInt(id)))).map((u) => ({
        userId: String(u.userId),
        username: u.username,
        displayName: u.displayName,
      })),
    );
    users.remember({ userId: session.userId, username: session.username, displayName: '' });

    let caughtUp = false;
    let printing = Promise.resolve();
    const print = async (v: MessageView) => {
      await users
        .resolve([v.senderId, v.conversation.target].filter((id) => /^[0-9]+$/.test(id)))
        .catch(() => undefined);
      const json = toMessageJson(v, session.userId, users);
      ctx.stdout.write(`${values.json === true ? JSON.stringify(json) : textLine(v, users, json.to)}\n`);
    };
    client.on('message', (m) => {
      const v = fromNative(m);
      // Conversations without a known head (HTTP failed, or beyond the list) replay on the
      // first sync: that part is history, not news.
      if (!caughtUp && !primed.has(conversationKey(v.conversation))) return;
      if (v.senderId === session.userId && values['include-own'] !== true) return;
      printing = printing
        .then(() => print(v))
        .catch((err: unknown) => {
          status(`cannot print a message: ${describeError(err)}`);
        });
    });

    const finished = new Promise<number>((resolve) => {
      const stop = () => {
        resolve(0);
      };
      if (ctx.stop.aborted) stop();
      ctx.stop.addEventListener('abort', stop, { once: true });
      client.on('state', ({ state, previous }) => {
        if (state === ConnectionState.RECONNECTING) status('connection lost; reconnecting');
        else if (state === ConnectionState.ONLINE && previous !== ConnectionState.IDLE && caughtUp)
          status('online again');
        else if (state === ConnectionState.KICKED) {
          status('stopped: another sign-in of this device replaced it');
          resolve(1);
        } else if (state === ConnectionState.UNAUTHENTICATED) {
          status('stopped: the session has ended; run `parley login` again');
          resolve(1);
        }
      });
      client.on('error', ({ error, context }) => {
        if (context !== 'reconnect') status(`${context}: ${describeError(error)}`);
      });
      ctx.stdout.on('error', () => {
        resolve(0); // the reader went away (e.g. `| head -1`)
      });
    });

    try {
      try {
        await client.login({ token: bot ? (session.botToken ?? '') : session.token });
      } catch (err) {
        throw connectError(err, endpoints.serverText);
      }
      await client.whenSynced();
      caughtUp = true;
      status(`listening as ${session.username} on ${where}`);
      const code = await finished;
      await printing;
      return code;
    } catch (err) {
      throw err instanceof CliError ? err : connectError(err, endpoints.serverText);
    } finally {
      client.close();
    }
  },
};
