import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const entry = fileURLToPath(new URL('./index.ts', import.meta.url));
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

describe('browser bundle', () => {
  it('bundles the "." entry for the browser with no Node built-in in it', async () => {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'esm',
      conditions: ['parley-source'],
      metafile: true,
      logLevel: 'silent',
    });
    assert.deepEqual(result.errors, []);
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(
      inputs.some((i) => i.endsWith('sdk/src/client.ts')),
      'the client is in the bundle',
    );
    const offending = inputs.filter((i) => i.startsWith('node:') || builtins.has(i) || i.includes('/gzip.'));
    assert.deepEqual(offending, [], 'no node: module, builtin or the gzip subpath');
    for (const output of Object.values(result.metafile.outputs)) {
      const imports = output.imports.map((i) => i.path);
      assert.deepEqual(
        imports.filter((p) => p.startsWith('node:') || builtins.has(p)),
        [],
        'no builtin left as an external import',
      );
    }
    const text = result.outputFiles[0]?.text ?? '';
    assert.ok(!/from\s*["']node:/.test(text) && !/require\(["'](node:)?(net|tls|zlib|fs)["']\)/.test(text));
  });
});
