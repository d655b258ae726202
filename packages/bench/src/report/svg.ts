/**
 * Just enough SVG charting for the report (a line chart with optional log axes, a bar chart), so
 * the benchmark needs no chart library. Rendered to PNG by sharp (report/write.ts).
 */

export interface Series {
  readonly name: string;
  readonly color: string;
  readonly dashed?: boolean;
  readonly points: readonly (readonly [number, number])[];
  /** One label per point, drawn next to it. */
  readonly labels?: readonly string[];
}

export interface Axis {
  readonly label: string;
  readonly log: boolean;
  /** Tick positions with their text; computed when absent. */
  readonly ticks?: readonly { readonly value: number; readonly label: string }[];
  readonly min?: number;
  readonly max?: number;
}

export interface LineChartOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly x: Axis;
  readonly y: Axis;
  readonly series: readonly Series[];
  /** The command that produced the figure. */
  readonly footer: string;
  readonly width?: number;
  readonly height?: number;
}

export interface Bar {
  readonly label: string;
  readonly value: number;
  readonly color: string;
  readonly text: string;
}

export interface BarChartOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly unit: string;
  readonly bars: readonly Bar[];
  readonly footer: string;
  readonly width?: number;
  readonly height?: number;
}

const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function text(
  x: number,
  y: number,
  content: string,
  opts: { size?: number; anchor?: string; weight?: string; color?: string; rotate?: boolean } = {},
): string {
  const rotate = opts.rotate === true ? ` transform="rotate(-90 ${x} ${y})"` : '';
  return (
    `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-family="${FONT}" font-size="${opts.size ?? 13}" ` +
    `text-anchor="${opts.anchor ?? 'start'}" font-weight="${opts.weight ?? 'normal'}" fill="${opts.color ?? '#111'}"${rotate}>` +
    `${escapeXml(content)}</text>`
  );
}

export function formatNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  if (a >= 10 || a === 0) return `${+v.toFixed(0)}`;
  if (a >= 1) return `${+v.toFixed(1)}`;
  return `${+v.toFixed(2)}`;
}

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
}

interface Scale {
  readonly min: number;
  readonly max: number;
  readonly ticks: readonly { readonly value: number; readonly label: string }[];
  map(v: number): number;
}

function makeScale(axis: Axis, values: readonly number[], from: number, to: number): Scale {
  const finite = values.filter((v) => Number.isFinite(v) && (!axis.log || v > 0));
  let min = axis.min ?? (finite.length === 0 ? 0 : Math.min(...finite));
  let max = axis.max ?? (finite.length === 0 ? 1 : Math.max(...finite));
  let ticks = axis.ticks;
  if (axis.log) {
    min = 10 ** Math.floor(Math.log10(Math.max(min, 1e-3)));
    max = 10 ** Math.ceil(Math.log10(Math.max(max, min * 10)));
    if (ticks === undefined) {
      const t: { value: number; label: string }[] = [];
      for (let p = min; p <= max * 1.0001; p *= 10) {
        for (const m of [1, 2, 5])
          if (p * m <= max * 1.0001) t.push({ value: p * m, label: formatNumber(p * m) });
      }
      ticks = t;
    }
    const lmin = Math.log10(min);
    const lmax = Math.log10(max);
    return {
      min,
      max,
      ticks,
      map: (v) => from + ((Math.log10(Math.max(v, min)) - lmin) / (lmax - lmin)) * (to - from),
    };
  }
  if (axis.min === undefined) min = Math.min(0, min);
  if (max <= min) max = min + 1;
  const step = niceStep(max - min, 6);
  max = Math.ceil(max / step) * step;
  if (ticks === undefined) {
    const t: { value: number; label: string }[] = [];
    for (let v = min; v <= max + step / 2; v += step) t.push({ value: v, label: formatNumber(v) });
    ticks = t;
  }
  return { min, max, ticks, map: (v) => from + ((v - min) / (max - min)) * (to - from) };
}

function frame(
  width: number,
  height: number,
  title: string,
  subtitle: string | undefined,
  footer: string,
): string[] {
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    text(24, 32, title, { size: 19, weight: 'bold' }),
  ];
  if (subtitle !== undefined) parts.push(text(24, 54, subtitle, { size: 13, color: '#444' }));
  // The footer names the command: first line the command, then the rest (long lines are split at "(").
  const cut = footer.indexOf(' (');
  const lines = cut > 0 ? [footer.slice(0, cut), footer.slice(cut + 1)] : [footer];
  lines.forEach((line, i) => {
    parts.push(text(24, height - 30 + i * 16, line, { size: 12, color: '#555' }));
  });
  return parts;
}

export function lineChart(o: LineChartOptions): string {
  const width = o.width ?? 1000;
  const height = o.height ?? 620;
  const left = 90;
  const right = width - 290;
  const top = 76;
  const bottom = height - 96;
  const xs = o.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = o.series.flatMap((s) => s.points.map((p) => p[1]));
  const x = makeScale(o.x, xs, left, right);
  const y = makeScale(o.y, ys, bottom, top);
  const parts = frame(width, height, o.title, o.subtitle, o.footer);
  for (const t of y.ticks) {
    const py = y.map(t.value);
    parts.push(
      `<line x1="${left}" y1="${py.toFixed(1)}" x2="${right}" y2="${py.toFixed(1)}" stroke="#e5e7eb"/>`,
    );
    parts.push(text(left - 8, py + 4, t.label, { anchor: 'end', size: 12, color: '#333' }));
  }
  for (const t of x.ticks) {
    const px = x.map(t.value);
    parts.push(
      `<line x1="${px.toFixed(1)}" y1="${top}" x2="${px.toFixed(1)}" y2="${bottom}" stroke="#f1f5f9"/>`,
    );
    parts.push(text(px, bottom + 18, t.label, { anchor: 'middle', size: 12, color: '#333' }));
  }
  parts.push(
    `<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none" stroke="#9ca3af"/>`,
  );
  parts.push(text((left + right) / 2, bottom + 42, o.x.label, { anchor: 'middle', size: 14 }));
  parts.push(text(24, (top + bottom) / 2, o.y.label, { anchor: 'middle', size: 14, rotate: true }));
  o.series.forEach((s, i) => {
    const pts = s.points.map(([vx, vy]) => `${x.map(vx).toFixed(1)},${y.map(vy).toFixed(1)}`);
    if (pts.length > 1) {
      parts.push(
        `<polyline points="${pts.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2.5"` +
          `${s.dashed === true ? ' stroke-dasharray="7 5"' : ''}/>`,
      );
    }
    s.points.forEach(([vx, vy], j) => {
      const px = x.map(vx);
      const py = y.map(vy);
      parts.push(`<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="4" fill="${s.color}"/>`);
      const label = s.labels?.[j];
      if (label !== undefined && label !== '')
        parts.push(text(px + 6, py - 7, label, { size: 11, color: s.color }));
    });
    const ly = top + 10 + i * 24;
    parts.push(
      `<line x1="${right + 18}" y1="${ly}" x2="${right + 46}" y2="${ly}" stroke="${s.color}" stroke-width="3"` +
        `${s.dashed === true ? ' stroke-dasharray="7 5"' : ''}/>`,
    );
    parts.push(text(right + 52, ly + 4, s.name, { size: 13 }));
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export function barChart(o: BarChartOptions): string {
  const width = o.width ?? 960;
  const rowHeight = 38;
  const top = 76;
  const height = o.height ?? top + o.bars.length * rowHeight + 96;
  const left = 210;
  const right = width - 170;
  const max = Math.max(...o.bars.map((b) => b.value), 1e-9);
  const parts = frame(width, height, o.title, o.subtitle, o.footer);
  o.bars.forEach((b, i) => {
    const y = top + i * rowHeight;
    const w = Math.max(1, (b.value / max) * (right - left));
    parts.push(text(left - 10, y + 22, b.label, { anchor: 'end', size: 14 }));
    parts.push(
      `<rect x="${left}" y="${y + 6}" width="${w.toFixed(1)}" height="${rowHeight - 12}" fill="${b.color}" rx="3"/>`,
    );
    parts.push(text(left + w + 8, y + 22, b.text, { size: 13, color: '#111' }));
  });
  parts.push(text(left, top + o.bars.length * rowHeight + 18, o.unit, { size: 12, color: '#555' }));
  parts.push('</svg>');
  return parts.join('\n');
}
