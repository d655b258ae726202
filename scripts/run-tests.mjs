// Runs every test file listed in scripts/test-files.txt with node:test through tsx, after checking
// that the list names every *.test.ts under packages/*/src (so no test is silently missed).
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const listed = readFileSync(join(root, 'scripts/test-files.txt'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.test\.tsx?$/.test(name)) out.push(relative(root, path));
  }
  return out;
}
const found = [];
for (const pkg of readdirSync(join(root, 'packages'))) {
  const src = join(root, 'packages', pkg, 'src');
  try {
    statSync(src);
  } catch {
    continue;
  }
  walk(src, found);
}
const missing = found.filter((f) => !listed.includes(f));
const stale = listed.filter((f) => !found.includes(f));
if (missing.length > 0 || stale.length > 0) {
  if (missing.length > 0)
    console.error(`test files not listed in scripts/test-files.txt:\n  ${missing.join('\n  ')}`);
  if (stale.length > 0) console.error(`listed test files that do not exist:\n  ${stale.join('\n  ')}`);
  process.exit(1);
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : listed;
const result = spawnSync(
  process.execPath,
  [
    '--conditions=parley-source',
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-timeout=180000',
    ...files,
  ],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
