import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_KEYS, ConfigError, loadConfig } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-config-test-'));
let fileCount = 0;

function configFile(contents: unknown): string {
  const path = join(dir, `config-${fileCount++}.json`);
  writeFileSync(path, typeof contents === 'string' ? contents : JSON.stringify(contents));
  return path;
}

function assertConfigError(fn: () => unknown, ...mentions: string[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.equal(err.name, 'ConfigError');
    for (const m of mentions) assert.ok(err.message.includes(m), `"${err.message}" should mention ${m}`);
    return true;
  });
}

describe('loadConfig', () => {
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses the documented defaults with an empty environment', () => {
    const config = loadConfig({});
    assert.equal(config.tcpPort, 7070);
    assert.equal(config.httpPort, 8080);
    assert.equal(config.dataDir, './data');
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.redisUrl, undefined);
    assert.equal(config.tcpHost, '0.0.0.0');
    assert.equal(config.nodeId, 1);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.passwordLog2N, 15);
    // Every key has its default in the result (none missing or misspelt).
    for (const spec of CONFIG_KEYS) assert.equal(config[spec.field], spec.default, spec.env);
  });

  it('does not read process.env when an environment is passed', () => {
    const saved = process.env['PARLEY_TCP_PORT'];
    process.env['PARLEY_TCP_PORT'] = '1234';
    try {
      assert.equal(loadConfig({}).tcpPort, 7070);
      assert.equal(loadConfig().tcpPort, 1234);
    } finally {
      if (saved === undefined) delete process.env['PARLEY_TCP_PORT'];
      else process.env['PARLEY_TCP_PORT'] = saved;
    }
  });

  it('takes overrides from the environment', () => {
    const config = loadConfig({
      PARLEY_TCP_PORT: '7171',
      PARLEY_HTTP_PORT: ' 8181 ',
      PARLEY_DATA_DIR: '/var/lib/parley',
      PARLEY_DATABASE_URL: 'postgres://u:p@db/parley',
      PARLEY_REDIS_URL: 'redis://cache:6379',
      PARLEY_NODE_ID: '1023',
      PARLEY_LOG_LEVEL: 'debug',
      PARLEY_TCP_HOST: '127.0.0.1',
    });
    assert.equal(config.tcpPort, 7171);
    assert.equal(config.httpPort, 8181);
    assert.equal(config.dataDir, '/var/lib/parley');
    assert.equal(config.databaseUrl, 'postgres://u:p@db/parley');
    assert.equal(config.redisUrl, 'redis://cache:6379');
    assert.equal(config.nodeId, 1023);
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.tcpHost, '127.0.0.1');
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({ PARLEY_TCP_PORT: '', PARLEY_DATABASE_URL: '', PARLEY_CONFIG: '' });
    assert.equal(config.tcpPort, 7070);
    assert.equal(config.databaseUrl, undefined);
  });

  it('accepts the ends of every range', () => {
    assert.equal(loadConfig({ PARLEY_TCP_PORT: '0' }).tcpPort, 0);
    assert.equal(loadConfig({ PARLEY_TCP_PORT: '65535' }).tcpPort, 65535);
    assert.equal(loadConfig({ PARLEY_NODE_ID: '0' }).nodeId, 0);
    assert.equal(loadConfig({ PARLEY_PASSWORD_LOG2N: '10' }).passwordLog2N, 10);
    assert.equal(loadConfig({ PARLEY_PASSWORD_LOG2N: '20' }).passwordLog2N, 20);
  });

  it('reads a JSON file named by PARLEY_CONFIG, and the environment wins over it', () => {
    const path = configFile({
      PARLEY_TCP_PORT: 9001,
      PARLEY_HTTP_PORT: '9002',
      PARLEY_DATA_DIR: '/srv/parley',
      PARLEY_DATABASE_URL: 'postgres://file/db',
      PARLEY_NODE_ID: 12,
    });
    const fromFile = loadConfig({ PARLEY_CONFIG: path });
    assert.equal(fromFile.tcpPort, 9001);
    assert.equal(fromFile.httpPort, 9002);
    assert.equal(fromFile.dataDir, '/srv/parley');
    assert.equal(fromFile.databaseUrl, 'postgres://file/db');
    assert.equal(fromFile.nodeId, 12);
    assert.equal(fromFile.logLevel, 'info', 'keys absent from the file keep their defaults');

    const mixed = loadConfig({ PARLEY_CONFIG: path, PARLEY_TCP_PORT: '9999', PARLEY_DATA_DIR: '/env/dir' });
    assert.equal(mixed.tcpPort, 9999);
    assert.equal(mixed.dataDir, '/env/dir');
    assert.equal(mixed.httpPort, 9002, 'keys not in the environment still come from the file');
    assert.equal(mixed.nodeId, 12);

    const emptyEnv = loadConfig({ PARLEY_CONFIG: path, PARLEY_TCP_PORT: '' });
    assert.equal(emptyEnv.tcpPort, 9001, 'an empty variable does not override the file');
  });

  it('rejects non-integers, naming the key', () => {
    for (const value of ['abc', '70.5', '7070x', 'NaN', 'Infinity', '1/2', ' ', '0x1F90', '1e3']) {
      assertConfigError(() => loadConfig({ PARLEY_TCP_PORT: value }), 'PARLEY_TCP_PORT');
    }
    assertConfigError(() => loadConfig({ PARLEY_NODE_ID: 'one' }), 'PARLEY_NODE_ID', 'integer');
    assertConfigError(
      () => loadConfig({ PARLEY_CONFIG: configFile({ PARLEY_HTTP_PORT: 80.5 }) }),
      'PARLEY_HTTP_PORT',
    );
    assertConfigError(
      () => loadConfig({ PARLEY_CONFIG: configFile({ PARLEY_HTTP_PORT: true }) }),
      'PARLEY_HTTP_PORT',
    );
    assertConfigError(
      () => loadConfig({ PARLEY_CONFIG: configFile({ PARLEY_HTTP_PORT: [8080] }) }),
      'PARLEY_HTTP_PORT',
    );
  });

  it('rejects non-string file values for string keys, naming the key', () => {
    assertConfigError(
      () => loadConfig({ PARLEY_CONFIG: configFile({ PARLEY_DATA_DIR: 5 }) }),
      'PARLEY_DATA_DIR',
    );
    assertConfigError(
      () => loadConfig({ PARLEY_CONFIG: configFile({ PARLEY_DATABASE_URL: { host: 'db' } }) }),
      'PARLEY_DATABASE_URL',
    );
    // null in the file means "use the default".
    assert.equal(loadConfig({ PARLEY_CONFIG: configFile({ PARLEY_DATA_DIR: null }) }).dataDir, './data');
  });

  it('rejects out-of-range values, naming the key', () => {
    assertConfigError(() => loadConfig({ PARLEY_TCP_PORT: '65536' }), 'PARLEY_TCP_PORT', '65536');
    assertConfigError(() => loadConfig({ PARLEY_TCP_PORT: '-1' }), 'PARLEY_TCP_PORT');
    assertConfigError(() => loadConfig({ PARLEY_HTTP_PORT: '100000' }), 'PARLEY_HTTP_PORT');
    assertConfigError(() => loadConfig({ PARLEY_NODE_ID: '1024' }), 'PARLEY_NODE_ID');
    assertConfigError(() => loadConfig({ PARLEY_PASSWORD_LOG2N: '9' }), 'PARLEY_PASSWORD_LOG2N');
    assertConfigError(() => loadConfig({ PARLEY_PASSWORD_LOG2N: '21' }), 'PARLEY_PASSWORD_LOG2N');
    assertConfigError(() => loadConfig({ PARLEY_MAX_FRAME_BYTES: '16777216' }), 'PARLEY_MAX_FRAME_BYTES');
    assertConfigError(
      () => loadConfig({ PARLEY_CONFIG: configFile({ PARLEY_NODE_ID: 5000 }) }),
      'PARLEY_NODE_ID',
    );
  });

  it('rejects unknown keys in the file, naming the key', () => {
    assertConfigError(
      () => loadConfig({ PARLEY_CONFIG: configFile({ PARLEY_TCP_PROT: 7070 }) }),
      'PARLEY_TCP_PROT',
    );
    assertConfigError(() => loadConfig({ PARLEY_CONFIG: configFile({ tcpPort: 7070 }) }), 'tcpPort');
    // PARLEY_CONFIG itself is not a key a config file may hold.
    assertConfigError(
      () => loadConfig({ PARLEY_CONFIG: configFile({ PARLEY_CONFIG: '/etc/other.json' }) }),
      'PARLEY_CONFIG',
    );
  });

  it('rejects unreadable, invalid and non-object files, naming the file', () => {
    const missing = join(dir, 'does-not-exist.json');
    assertConfigError(() => loadConfig({ PARLEY_CONFIG: missing }), missing);
    assertConfigError(() => loadConfig({ PARLEY_CONFIG: dir }), dir);
    const broken = configFile('{ "PARLEY_TCP_PORT": ');
    assertConfigError(() => loadConfig({ PARLEY_CONFIG: broken }), broken);
    for (const notObject of ['[1, 2]', '"text"', '42', 'null']) {
      const path = configFile(notObject);
      assertConfigError(() => loadConfig({ PARLEY_CONFIG: path }), path, 'object');
    }
  });

  it('ignores a bad file value the environment overrides, but still reports unknown file keys', () => {
    const path = configFile({ PARLEY_TCP_PORT: 'not a port' });
    // The environment wins, so the bad file value is never used.
    assert.equal(loadConfig({ PARLEY_CONFIG: path, PARLEY_TCP_PORT: '7000' }).tcpPort, 7000);
    // But an unknown key is reported even when the environment sets everything else.
    const unknown = configFile({ PARLEY_BOGUS: 1 });
    assertConfigError(() => loadConfig({ PARLEY_CONFIG: unknown, PARLEY_TCP_PORT: '7000' }), 'PARLEY_BOGUS');
  });
});
