// Fails when the committed generated protobuf code is not what proto/ generates now.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), 'parley-gen-check-'));
try {
  const gen = spawnSync(process.execPath, [join(root, 'scripts/generate-proto.mjs'), '--out', out], {
    cwd: root,
    stdio: 'inherit',
  });
  if (gen.status !== 0) process.exit(gen.status ?? 1);
  const diff = spawnSync('diff', ['-r', out, join(root, 'packages/protocol/src/gen')], { encoding: 'utf8' });
  if (diff.status !== 0) {
    console.error(diff.stdout);
    console.error('generated protobuf code is stale: run `npm run generate` and commit the result');
    process.exit(1);
  }
  console.log('generated protobuf code is fresh');
} finally {
  rmSync(out, { recursive: true, force: true });
}
