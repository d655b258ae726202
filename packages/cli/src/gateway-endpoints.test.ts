import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type InProcessServer } from '@parley/testkit';
import { splitCommand } from './args.js';
import { UsageError } from './errors.js';
import { liveHttp } from './gateway-http.js';
import { isGatewayText, parseGateways, resolveEndpoints } from './server-address.js';
import { SessionStore, type SavedSession } from './session-store.js';

const tcpSession: SavedSession = {
  server: 'saved.example:7001',
  http: 'http://saved.example:9001',
  userId: '1',
  username: 'alice',
  token: 't',
  deviceId: 'd',
};
const gatewaySession: SavedSession = {
  ...tcpSession,
  server: 'http://a.example:8080,http://b.example:8080',
  gateways: ['http://a.example:8080', 'http://b.example:8080'],
  http: 'http://a.example:8080',
};

describe('gateway endpoints', () => {
  it('parses gateway lists and tells them from a host:port', () => {
    assert.deepEqual(parseGateways('http://a:8080, b:8081,,http://a:8080/'), [
      'http://a:8080',
      'http://b:8081',
    ]);
    assert.throws(() => parseGateways(' , '), UsageError);
    assert.throws(() => parseGateways('http://a:8080?x=1'), UsageError);
    assert.equal(isGatewayText('http://10.0.0.1:8080'), true);
    assert.equal(isGatewayText('a:8080,b:8080'), true);
    assert.equal(isGatewayText('10.0.0.1:7070'), false);
    assert.deepEqual(splitCommand(['--gateway', 'http://a:1', 'tail', '--json']), {
      command: 'tail',
      rest: ['--gateway', 'http://a:1', '--json'],
    });
  });

  it('picks the route from the flags, the saved session, then the environment', () => {
    const env = { PARLEY_GATEWAY: 'http://env.example:8080', PARLEY_SERVER: 'env.example:7002' };
    const fromEnv = resolveEndpoints({}, undefined, env);
    assert.deepEqual(fromEnv.route, { kind: 'gateway', urls: ['http://env.example:8080'] });
    // HTTP goes to a node the gateway names (not pinned), or, failing that, the first gateway.
    assert.equal(fromEnv.http, 'http://env.example:8080');
    assert.equal(fromEnv.httpPinned, false);
    assert.equal(resolveEndpoints({}, undefined, { ...env, PARLEY_HTTP: 'h:1' }).httpPinned, true);
    assert.deepEqual(resolveEndpoints({ server: 'x:1' }, undefined, env).route, {
      kind: 'tcp',
      server: { host: 'x', port: 1 },
    });
    assert.throws(
      () => resolveEndpoints({ server: 'x:1', gateway: 'http://g:1' }, undefined, {}),
      UsageError,
    );

    // A gateway session is used with its gateways, or with a list that shares one of them.
    const saved = resolveEndpoints({}, gatewaySession, env);
    assert.equal(saved.route.kind, 'gateway');
    assert.equal(saved.session, gatewaySession);
    assert.equal(saved.serverText, 'http://a.example:8080,http://b.example:8080');
    const overlap = resolveEndpoints(
      { gateway: 'http://c.example:8080,http://B.example:8080' },
      gatewaySession,
      {},
    );
    assert.equal(overlap.session, gatewaySession);
    assert.equal(
      resolveEndpoints({ gateway: 'http://c.example:8080' }, gatewaySession, {}).session,
      undefined,
    );
    assert.equal(resolveEndpoints({ server: 'a.example:7070' }, gatewaySession, {}).session, undefined);
    // And a TCP session is not offered to a gateway, even with the same host.
    assert.equal(
      resolveEndpoints({ gateway: 'http://saved.example:9001' }, tcpSession, {}).session,
      undefined,
    );
    assert.equal(resolveEndpoints({}, tcpSession, env).route.kind, 'tcp');
  });

  it('keeps the gateways in the session file, and refuses a malformed list', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-cli-gw-'));
    try {
      const store = new SessionStore(dir);
      await store.save(gatewaySession);
      assert.deepEqual(await store.load(), gatewaySession);
      writeFileSync(store.sessionPath, JSON.stringify({ version: 1, ...tcpSession, gateways: [7] }));
      assert.equal(await store.load(), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the HTTP API behind a gateway', () => {
  let server: InProcessServer;
  let dead: string;

  before(async () => {
    server = await startTestServer();
    // A port nothing listens on any more.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    await new Promise((resolve) => probe.close(resolve));
    dead = `http://127.0.0.1:${String(typeof address === 'object' && address !== null ? address.port : 1)}`;
  });

  after(async () => {
    await server.stop();
  });

  it('asks each gateway in turn for a live node, and uses its HTTP address', async () => {
    const live = `http://127.0.0.1:${String(server.httpPort)}`;
    const both = resolveEndpoints({ gateway: `${dead},${live}` }, undefined, {});
    assert.equal(await liveHttp(both), live);
    const none = resolveEndpoints({ gateway: dead }, undefined, {});
    assert.equal(await liveHttp(none), dead);
    // --http wins, and a plain server needs no question.
    assert.equal(await liveHttp(resolveEndpoints({ gateway: live, http: dead }, undefined, {})), dead);
    assert.equal(
      await liveHttp(resolveEndpoints({ server: '127.0.0.1:1' }, undefined, {})),
      'http://127.0.0.1:8080',
    );
  });
});
