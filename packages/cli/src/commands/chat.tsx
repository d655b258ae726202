// @jsxRuntime automatic -- for tsx, which reads the root tsconfig (no jsx setting) when running sources
import { render } from 'ink';
import { Platform, type GatewayNode, type ParleyClient } from '@parley/sdk/node';
import { parseCommandArgs } from '../args.js';
import { CHAT_HELP } from '../chat-help.js';
import { createClient, newDeviceId, passwordSignIn } from '../connect.js';
import { CliError, UsageError, describeError } from '../errors.js';
import { FileStorage } from '../file-storage.js';
import { HttpApi } from '../http-api.js';
import { isGatewayText, resolveEndpoints, type Endpoints } from '../server-address.js';
import type { SavedSession } from '../session-store.js';
import { ChatModel } from '../ui/chat-model.js';
import type { LoginValues } from '../ui/LoginScreen.js';
import { Root, type Connected } from '../ui/Root.js';
import type { CliContext } from './context.js';

const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_ALT_SCREEN = '\x1b[?1049l';

interface Live {
  readonly client: ParleyClient;
  readonly model: ChatModel;
  readonly storage: FileStorage;
}

/** `parley` / `parley chat`: the full-screen client, until /quit, Ctrl+C or SIGTERM. */
export async function runChat(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { 'no-bell': { type: 'boolean' } });
  if (values.help === true) {
    ctx.stdout.write(`${CHAT_HELP}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"`);
  if (!ctx.stdin.isTTY || !ctx.stdout.isTTY) {
    throw new CliError(
      'the chat client needs a terminal; scripts can use `parley send`, `tail` and `history`',
    );
  }
  const saved = await ctx.store.load();
  const endpoints = resolveEndpoints(values, saved, ctx.env);
  const bell = values['no-bell'] === true ? () => undefined : () => ctx.stdout.write('\x07');
  let live: Live | undefined;

  const stopLive = async () => {
    const l = live;
    live = undefined;
    if (l === undefined) return;
    l.model.dispose();
    l.client.close();
    await l.storage.flush();
  };

  /** A client and model for `target`, signed in with a token or a password. */
  const connect = async (
    target: Endpoints,
    login: (client: ParleyClient, deviceId: string) => Promise<SavedSession>,
  ): Promise<Connected> => {
    await stopLive();
    const storage = new FileStorage(ctx.store.chatStatePath, (err) => {
      live?.model.say(`cannot save the client state: ${describeError(err)}`, 'error');
    });
    const deviceId = saved?.deviceId ?? newDeviceId();
    // With a gateway, uploads go to the node the connection went to (any node would do; that
    // one is known to be alive).
    let node: GatewayNode | undefined;
    const client = createClient(target, {
      deviceId,
      platform: Platform.PC,
      storage,
      onNode: (n) => {
        node = n;
        model.setNode(n.name);
      },
    });
    const model = new ChatModel({ client, server: serverLabel(target), bell });
    const mine: Live = { client, model, storage };
    live = mine;
    const httpBase = () => (target.httpPinned || node === undefined ? target.http : node.http);
    try {
      const session = await login(client, deviceId);
      void model.start(session.username);
      return { model, http: () => new HttpApi(httpBase(), client.token ?? session.token) };
    } catch (err) {
      if (live === mine) await stopLive();
      throw err;
    }
  };

  const session = endpoints.session;
  const resume =
    session === undefined
      ? undefined
      : () =>
          connect(endpoints, async (client) => {
            await client.login({ token: session.token });
            return session;
          });

  const signIn = (form: LoginValues) => {
    const named = isGatewayText(form.server) ? { gateway: form.server } : { server: form.server };
    const target = resolveEndpoints({ ...named, http: values.http }, saved, ctx.env);
    return connect(target, async (client, deviceId) => {
      if (form.register) await client.register(form.username, form.password);
      const fresh = await passwordSignIn(client, target, form.username, form.password, deviceId);
      await ctx.store.save(fresh);
      return fresh;
    });
  };

  const leave = () => {
    ctx.stdout.write(LEAVE_ALT_SCREEN);
  };
  ctx.stdout.write(ENTER_ALT_SCREEN);
  process.once('exit', leave);
  const app = render(
    <Root
      initialServer={endpoints.serverText}
      initialUsername={session?.username ?? saved?.username ?? ''}
      resume={resume}
      signIn={signIn}
    />,
    { stdout: ctx.stdout, stdin: ctx.stdin, stderr: ctx.stderr, exitOnCtrlC: true },
  );
  const onStop = () => {
    app.unmount();
  };
  ctx.stop.addEventListener('abort', onStop, { once: true });
  try {
    await app.waitUntilExit();
  } finally {
    ctx.stop.removeEventListener('abort', onStop);
    await stopLive();
    leave();
    process.off('exit', leave);
  }
  return 0;
}

/** The status line's "where": `host:port`, or the first gateway (and how many more). */
function serverLabel(target: Endpoints): string {
  if (target.route.kind === 'tcp') return target.serverText;
  const [first = '', ...more] = target.route.urls;
  return `gateway ${first.replace(/^https?:\/\//, '')}${more.length > 0 ? ` +${String(more.length)}` : ''}`;
}
