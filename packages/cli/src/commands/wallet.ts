import { GLOBAL_HELP, intOption, parseCommandArgs } from '../args.js';
import { UsageError } from '../errors.js';
import { liveHttp } from '../gateway-http.js';
import { HttpApi } from '../http-api.js';
import { formatCents } from '../money.js';
import { entryLine, walletFromHttp } from '../wallet-view.js';
import { signedIn, type CommandSpec } from './context.js';

const HELP = `Usage: parley wallet [--limit N] [--json]

Prints your balance and the newest ledger entries, over the HTTP API (like \`send\`, it never
disturbs a running chat client or tail). Amounts have two decimals: 12.34 is 1234 of the
smallest unit. Every movement is an entry: credit (by an admin), red packet sent, red packet
claimed, red packet refund (the unclaimed rest of an expired packet), with the packet's id.

  --limit N   how many entries (1-200, default 20)
  --json      one JSON object: {"balance": 1234, "entries": [{"id", "delta", "balanceAfter",
              "kind", "refId", "createdAt"}]}, amounts in the smallest unit, newest first

${GLOBAL_HELP}`;

export const walletCommand: CommandSpec = {
  name: 'wallet',
  summary: 'print your balance and latest ledger entries (--json)',
  help: HELP,
  async run(ctx, args) {
    const { values, positionals } = parseCommandArgs(args, {
      limit: { type: 'string', short: 'n' },
      json: { type: 'boolean' },
    });
    if (values.help === true) {
      ctx.stdout.write(`${HELP}\n`);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"`);
    const limit = intOption(values.limit, 'limit', 20, 200);
    const { endpoints, session } = await signedIn(ctx, values);
    const wallet = walletFromHttp(await new HttpApi(await liveHttp(endpoints), session.token).wallet(limit));
    if (values.json === true) {
      ctx.stdout.write(`${JSON.stringify(wallet)}\n`);
      return 0;
    }
    ctx.stdout.write(`balance ${formatCents(wallet.balance)}\n`);
    for (const e of wallet.entries) ctx.stdout.write(`${entryLine(e)}\n`);
    if (wallet.entries.length === 0) ctx.stderr.write('no ledger entries yet\n');
    return 0;
  },
};
