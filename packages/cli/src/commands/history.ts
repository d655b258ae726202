import { parseTarget } from '../address.js';
import { GLOBAL_HELP, intOption, parseCommandArgs } from '../args.js';
import { UsageError } from '../errors.js';
import { liveHttp } from '../gateway-http.js';
import { HttpApi } from '../http-api.js';
import { toMessageJson } from '../json-line.js';
import { textLine } from '../text-line.js';
import { UserDirectory } from '../user-directory.js';
import { signedIn, type CommandSpec } from './context.js';
import { resolveTarget } from './resolve-target.js';

const HELP = `Usage: parley history <conversation> [--limit N] [--before SEQ] [--json]

Prints the newest messages of a conversation, oldest first. <conversation> is named as for
\`parley send\`: alice / @alice, uid:<id>, #<group id>, #room or room:<name>.

  --limit N     how many messages (1-200, default 20)
  --before SEQ  only messages older than SEQ (to page back)
  --json        one JSON object per line (the same shape as \`parley tail --json\`)

${GLOBAL_HELP}`;

export const historyCommand: CommandSpec = {
  name: 'history',
  summary: 'print the latest messages of a conversation',
  help: HELP,
  async run(ctx, args) {
    const { values, positionals } = parseCommandArgs(args, {
      limit: { type: 'string', short: 'n' },
      before: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.help === true) {
      ctx.stdout.write(`${HELP}\n`);
      return 0;
    }
    if (positionals.length !== 1 || positionals[0] === undefined) {
      throw new UsageError('expected exactly one <conversation>');
    }
    const conversation = positionals[0];
    const target = parseTarget(conversation);
    const limit = intOption(values.limit, 'limit', 20, 200);
    const before =
      values.before === undefined
        ? undefined
        : BigInt(intOption(values.before, 'before', 0, Number.MAX_SAFE_INTEGER));
    const { endpoints, session } = await signedIn(ctx, values);
    const api = new HttpApi(await liveHttp(endpoints), session.token);
    const users = new UserDirectory((ids) => api.users(ids));
    const ref = await resolveTarget(api, target, users);
    const page = await api.history(ref, { limit, ...(before === undefined ? {} : { beforeSeq: before }) });
    await users.resolve(
      [...page.messages.map((m) => m.senderId), ref.target].filter((id) => /^[0-9]+$/.test(id)),
    );
    for (const m of page.messages) {
      const json = toMessageJson(m, session.userId, users);
      ctx.stdout.write(`${values.json === true ? JSON.stringify(json) : textLine(m, users, json.to)}\n`);
    }
    if (values.json !== true && page.messages.length === 0) ctx.stderr.write('no messages\n');
    return 0;
  },
};
