// Regenerates packages/protocol/src/gen from proto/ with buf + protoc-gen-es (see buf.gen.yaml).
// With --out DIR, writes there instead (used by check-generated.mjs).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const outIndex = process.argv.indexOf('--out');
const out = outIndex > 0 ? process.argv[outIndex + 1] : undefined;
let template = 'buf.gen.yaml';
let dir;
if (out !== undefined) {
  dir = mkdtempSync(join(tmpdir(), 'parley-gen-'));
  template = join(dir, 'buf.gen.yaml');
  writeFileSync(
    template,
    readFileSync(join(root, 'buf.gen.yaml'), 'utf8').replace('packages/protocol/src/gen', out),
  );
}
const bin = join(root, 'node_modules/.bin/buf');
const env = { ...process.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH ?? ''}` };
const r = spawnSync(bin, ['generate', '--template', template], { cwd: root, stdio: 'inherit', env });
if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
process.exit(r.status ?? 1);
