import { randomUUID } from 'node:crypto';
import { ContentType } from '@parley/sdk';
import { parseTarget } from '../address.js';
import { GLOBAL_HELP, parseCommandArgs } from '../args.js';
import { UsageError } from '../errors.js';
import { liveHttp } from '../gateway-http.js';
import { HttpApi } from '../http-api.js';
import { toMessageJson } from '../json-line.js';
import { expandPath, jsonContent, uploadFile } from '../media.js';
import { UserDirectory } from '../user-directory.js';
import { signedIn, type CommandSpec } from './context.js';
import { resolveTarget } from './resolve-target.js';

const HELP = `Usage: parley send <to> <text...>
       parley send <to> --file PATH
       echo text | parley send <to> -

Sends one message as the signed-in user, over the HTTP API (so it never disturbs a running
\`parley\` or \`parley tail\`). <to> is one of:
  alice, @alice, user:alice   the direct chat with user alice
  uid:<id>                    the direct chat with that user id
  #<group id>, group:<id>     a group (you must be a member)
  #general, room:general      a chatroom (joined first if needed)
The text is sent as typed (no emoji shortcodes); "-" reads it from stdin.

  --file PATH          upload PATH and send it (image, audio, video: their type; else a file)
  --client-msg-id ID   idempotency key: re-running with the same ID never sends twice
  --json               print the stored message as JSON

${GLOBAL_HELP}`;

export const sendCommand: CommandSpec = {
  name: 'send',
  summary: 'send a message (or --file) to a user, group or chatroom',
  help: HELP,
  async run(ctx, args) {
    const { values, positionals } = parseCommandArgs(args, {
      file: { type: 'string' },
      'client-msg-id': { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.help === true) {
      ctx.stdout.write(`${HELP}\n`);
      return 0;
    }
    const [to, ...words] = positionals;
    if (to === undefined) throw new UsageError('missing <to>');
    const target = parseTarget(to);
    let text = words.join(' ');
    if (values.file !== undefined && text !== '')
      throw new UsageError('give either text or --file, not both');
    if (values.file === undefined) {
      if (text === '-') text = (await readAll(ctx.stdin)).replace(/\r?\n$/, '');
      if (text.trim() === '') throw new UsageError('missing <text> (or --file PATH)');
    }
    const clientMsgId = values['client-msg-id'] ?? randomUUID();
    if (!/^[\x21-\x7e]{1,64}$/.test(clientMsgId)) {
      throw new UsageError('--client-msg-id must be 1-64 printable ASCII characters without spaces');
    }
    const { endpoints, session } = await signedIn(ctx, values);
    const api = new HttpApi(await liveHttp(endpoints), session.token);
    const users = new UserDirectory((ids) => api.users(ids));
    const ref = await resolveTarget(api, target, users);
    if (target.kind === 'room') await api.joinChatroom(target.name);
    const content =
      values.file === undefined
        ? { contentType: ContentType.TEXT, text }
        : jsonContent(await uploadFile(api, expandPath(values.file)));
    const message = await api.send(ref, content, clientMsgId);
    if (values.json === true) {
      await users.resolve([message.senderId]);
      ctx.stdout.write(`${JSON.stringify(toMessageJson(message, session.userId, users))}\n`);
    } else {
      ctx.stdout.write(`sent to ${to} (seq ${String(message.seq)})\n`);
    }
    return 0;
  },
};

async function readAll(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
