import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { figuresOf } from './charts.js';
import { markdownOf } from './markdown.js';
import type { BenchReport } from './types.js';

export interface WrittenReport {
  readonly json: string;
  readonly markdown: string;
  readonly latest: string;
  readonly figures: string[];
}

/**
 * Formats a generated file the way the repository's Prettier would (its config, found from the
 * file's path), so `prettier --check .` passes after a run. Prettier is a development tool of the
 * repository, not a dependency of the benchmark: without it the text is written as it is.
 */
export async function prettierFormatted(text: string, path: string): Promise<string> {
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(path)) ?? {};
    return await prettier.format(text, { ...options, filepath: path });
  } catch {
    return text;
  }
}

/** SVG → PNG, at twice the size for sharp text. */
export async function svgToPng(svg: string, path: string): Promise<void> {
  await sharp(Buffer.from(svg), { density: 144 }).png().toFile(path);
}

/**
 * Writes `<stamp>-<mode>.json`, `<stamp>-<mode>.md`, one PNG per figure (`<stamp>-<mode>-<name>.png`)
 * and `latest.md` (the same Markdown) into `dir`.
 */
export async function writeReport(report: BenchReport, dir: string): Promise<WrittenReport> {
  mkdirSync(dir, { recursive: true });
  const stamp = `${report.meta.startedAt.slice(0, 16).replace(/[:T]/g, '-')}-${report.meta.mode}`;
  const figures = figuresOf(report);
  const files: { file: string; title: string }[] = [];
  for (const f of figures) {
    const file = `${stamp}-${f.name}.png`;
    await svgToPng(f.svg, join(dir, file));
    files.push({ file, title: f.title });
  }
  const json = join(dir, `${stamp}.json`);
  writeFileSync(json, await prettierFormatted(`${JSON.stringify(report, null, 2)}\n`, json));
  const markdown = join(dir, `${stamp}.md`);
  writeFileSync(markdown, await prettierFormatted(markdownOf(report, files), markdown));
  const latest = join(dir, 'latest.md');
  copyFileSync(markdown, latest);
  return { json, markdown, latest, figures: files.map((f) => join(dir, f.file)) };
}
