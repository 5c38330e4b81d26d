/**
 * Small dependency-free SVG charts for the benchmark and soak reports: a line chart (a value over time)
 * and a grouped bar chart (one value per target and rate). Plain SVG text, so the Markdown renders it
 * on GitHub without an image pipeline.
 */

export interface Series {
  name: string;
  points: [x: number, y: number][];
}

const COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A "nice" upper bound and tick step for an axis from 0 to `max`. */
export function niceScale(max: number, ticks = 5): { top: number; step: number } {
  if (!Number.isFinite(max) || max <= 0) return { top: 1, step: 0.2 };
  const raw = max / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  return { top: Math.ceil(max / step) * step, step };
}

const fmt = (v: number) => (Math.abs(v) >= 100 || Number.isInteger(v) ? v.toFixed(0) : v.toPrecision(3).replace(/\.?0+$/, ''));

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function axes(frame: Frame, title: string, yLabel: string, yTop: number, yStep: number): string[] {
  const { width, height, left, right, top, bottom } = frame;
  const plotH = height - top - bottom;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    `<text transform="translate(16 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
  ];
  for (let v = 0; v <= yTop + yStep / 2; v += yStep) {
    const y = top + plotH - (v / yTop) * plotH;
    out.push(
      `<line x1="${left}" y1="${y.toFixed(1)}" x2="${width - right}" y2="${y.toFixed(1)}" stroke="#e5e7eb"/>`,
      `<text x="${left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end">${fmt(v)}</text>`,
    );
  }
  out.push(`<line x1="${left}" y1="${top + plotH}" x2="${width - right}" y2="${top + plotH}" stroke="#374151"/>`);
  return out;
}

function legend(names: string[], x: number, y: number): string[] {
  return names.flatMap((name, i) => [
    `<rect x="${x}" y="${y + i * 18 - 10}" width="12" height="12" fill="${COLOURS[i % COLOURS.length]}"/>`,
    `<text x="${x + 18}" y="${y + i * 18}">${escapeXml(name)}</text>`,
  ]);
}

/** Lines over a numeric x axis (e.g. minutes), y from 0. */
export function lineChart(opts: { title: string; xLabel: string; yLabel: string; series: Series[]; width?: number; height?: number }): string {
  const frame: Frame = { width: opts.width ?? 820, height: opts.height ?? 360, left: 64, right: 200, top: 36, bottom: 48 };
  const all = opts.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xMax = Math.max(1, ...all.map(([x]) => x));
  const xMin = Math.min(xMax - 1, ...all.map(([x]) => x));
  const { top: yTop, step: yStep } = niceScale(Math.max(0, ...all.map(([, y]) => y)));
  const plotW = frame.width - frame.left - frame.right;
  const plotH = frame.height - frame.top - frame.bottom;
  const px = (x: number) => frame.left + ((x - xMin) / (xMax - xMin)) * plotW;
  const py = (y: number) => frame.top + plotH - (y / yTop) * plotH;
  const out = axes(frame, opts.title, opts.yLabel, yTop, yStep);
  const { step: xStep } = niceScale(xMax - xMin, 6);
  for (let x = Math.ceil(xMin / xStep) * xStep; x <= xMax + 1e-9; x += xStep) {
    out.push(`<text x="${px(x).toFixed(1)}" y="${frame.top + plotH + 16}" text-anchor="middle">${fmt(x)}</text>`);
  }
  out.push(`<text x="${frame.left + plotW / 2}" y="${frame.height - 10}" text-anchor="middle">${escapeXml(opts.xLabel)}</text>`);
  opts.series.forEach((s, i) => {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (pts.length === 0) return;
    const d = pts.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="2"/>`);
  });
  out.push(...legend(opts.series.map((s) => s.name), frame.width - frame.right + 16, frame.top + 12), '</svg>');
  return out.join('\n') + '\n';
}

/** Bars grouped by category (e.g. request rate), one bar per series (e.g. target); NaN values are left out. */
export function barChart(opts: {
  title: string;
  yLabel: string;
  categories: string[];
  series: { name: string; values: number[] }[];
  width?: number;
  height?: number;
}): string {
  const frame: Frame = { width: opts.width ?? 860, height: opts.height ?? 380, left: 64, right: 250, top: 36, bottom: 40 };
  const values = opts.series.flatMap((s) => s.values).filter(Number.isFinite);
  const { top: yTop, step: yStep } = niceScale(Math.max(0, ...values));
  const plotW = frame.width - frame.left - frame.right;
  const plotH = frame.height - frame.top - frame.bottom;
  const groupW = plotW / Math.max(1, opts.categories.length);
  const barW = (groupW * 0.8) / Math.max(1, opts.series.length);
  const out = axes(frame, opts.title, opts.yLabel, yTop, yStep);
  opts.categories.forEach((category, c) => {
    const gx = frame.left + c * groupW + groupW * 0.1;
    out.push(`<text x="${(gx + groupW * 0.4).toFixed(1)}" y="${frame.top + plotH + 16}" text-anchor="middle">${escapeXml(category)}</text>`);
    opts.series.forEach((s, i) => {
      const v = s.values[c];
      if (!Number.isFinite(v)) return;
      const h = (Math.min(v, yTop) / yTop) * plotH;
      out.push(
        `<rect x="${(gx + i * barW).toFixed(1)}" y="${(frame.top + plotH - h).toFixed(1)}" width="${Math.max(1, barW - 1).toFixed(1)}" ` +
          `height="${h.toFixed(1)}" fill="${COLOURS[i % COLOURS.length]}"><title>${escapeXml(`${s.name} @ ${category}: ${fmt(v)}`)}</title></rect>`,
      );
    });
  });
  out.push(...legend(opts.series.map((s) => s.name), frame.width - frame.right + 16, frame.top + 12), '</svg>');
  return out.join('\n') + '\n';
}
