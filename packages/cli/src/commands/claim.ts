import { GLOBAL_HELP, parseCommandArgs } from '../args.js';
import { CliError, UsageError } from '../errors.js';
import { liveHttp } from '../gateway-http.js';
import { HttpApi, HttpApiError } from '../http-api.js';
import { formatCents } from '../money.js';
import { signedIn, type CommandSpec } from './context.js';

const HELP = `Usage: parley claim <packetId> [--json]

Claims your share of a red packet, over the HTTP API. The id is in the packet's message:
redPacket.packetId in \`parley tail --json\` / \`history --json\` ("id …" in their text lines).
Each member claims once; claiming again prints what you got the first time.

Exit code 0 when you have a share (now or from before); 1 when the packet is empty, expired or
not yours to see (the reason on stderr).

  --json   one JSON object: the packet (packetId, senderId, total, count, mode, greeting, state,
           remainingAmount, remainingCount, expiresAt, claims) with "amount" (your share),
           "balance", and "outcome": claimed, already, empty or expired

${GLOBAL_HELP}`;

type Outcome = 'claimed' | 'already' | 'empty' | 'expired';

export const claimCommand: CommandSpec = {
  name: 'claim',
  summary: 'claim your share of a red packet, by its id (--json)',
  help: HELP,
  async run(ctx, args) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } });
    if (values.help === true) {
      ctx.stdout.write(`${HELP}\n`);
      return 0;
    }
    const [packetId, extra] = positionals;
    if (packetId === undefined) throw new UsageError('missing <packetId>');
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    if (!/^[1-9][0-9]{0,19}$/.test(packetId))
      throw new UsageError(`"${packetId}" is not a packet id (digits)`);
    const { endpoints, session } = await signedIn(ctx, values);
    const api = new HttpApi(await liveHttp(endpoints), session.token);
    const print = (json: Record<string, unknown>) => {
      if (values.json === true) ctx.stdout.write(`${JSON.stringify(json)}\n`);
    };
    let packet: Record<string, unknown>;
    try {
      packet = await api.claimRedPacket(packetId);
    } catch (err) {
      if (err instanceof HttpApiError && err.statusName === 'EXPIRED') {
        print({ packetId, outcome: 'expired' satisfies Outcome });
        throw new CliError('too late: the red packet has expired');
      }
      throw err;
    }
    const amount = typeof packet['amount'] === 'number' ? packet['amount'] : 0;
    const balance = typeof packet['balance'] === 'number' ? packet['balance'] : 0;
    const outcome: Outcome = packet['claimed'] === true ? 'claimed' : amount > 0 ? 'already' : 'empty';
    print({ ...packet, outcome });
    if (outcome === 'empty') throw new CliError('too late: the red packet is empty');
    if (values.json !== true) {
      ctx.stdout.write(
        `${outcome === 'claimed' ? 'claimed' : 'already claimed'} ${formatCents(amount)} (balance ${formatCents(balance)})\n`,
      );
    }
    return 0;
  },
};
