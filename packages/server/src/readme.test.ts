import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CONFIG_KEYS } from './config.js';
import { SERVER_NODE_FLAGS } from './node-flags.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('documents every configuration key with its real default', () => {
    for (const key of CONFIG_KEYS) {
      const cells = readme
        .split('\n')
        .map((line) => line.split('|').map((cell) => cell.trim()))
        .find((row) => row[1] === `\`${key.env}\``);
      assert.ok(cells, `README has a row for ${key.env}`);
      const shown = cells[2];
      assert.equal(shown, key.default === undefined ? 'unset' : `\`${String(key.default)}\``, key.env);
    }
  });

  it('names the two set-up commands', () => {
    assert.match(readme, /npm install && npm start/);
    assert.match(readme, /^npm test$/m);
  });

  it('starts the server with its node flags, and says how to give them to the bin', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const start = manifest.scripts['start'] ?? '';
    assert.match(
      start,
      new RegExp(`node ${SERVER_NODE_FLAGS.join(' ')} packages/server/dist/cli\\.js start`),
    );
    assert.ok(
      readme.includes(`NODE_OPTIONS=${SERVER_NODE_FLAGS.join(' ')}`),
      'README names the flags for the bin',
    );
  });
});
