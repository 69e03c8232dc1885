/**
 * Training curves as a standalone SVG image, without dependencies: a left
 * panel with the training and validation loss (one loss function, one
 * axis scaled to the losses), a right panel with validation metrics (AUC,
 * recall@10) on an axis scaled to their values within [0, 1]. A dashed
 * line marks the best epoch, the one whose model the run keeps.
 *
 * @module
 */

/** One epoch of training history. Missing or non-finite values leave a gap. */
export interface EpochRecord {
  /** Epoch number, the x axis. */
  epoch: number;
  /** Mean training loss. */
  loss: number;
  /** Validation loss (the training loss on the validation pairs). */
  valLoss?: number;
  /** Validation ROC AUC in [0, 1]. */
  auc?: number;
  /** Validation recall@10 in [0, 1]. */
  recallAt10?: number;
}

/** Options for {@link curvesSvg}. */
export interface CurvesSvgOptions {
  /** Image width in pixels. @default 720 */
  width?: number;
  /** Image height in pixels. @default 280 */
  height?: number;
  /** A title drawn above the panels. @default none */
  title?: string;
  /** The epoch to mark as the best (the one kept). @default none */
  bestEpoch?: number;
}

interface Series {
  label: string;
  color: string;
  value: (r: EpochRecord) => number | undefined;
}

const LOSS_SERIES: Series[] = [
  { label: "loss", color: "#1f77b4", value: (r) => r.loss },
  { label: "val loss", color: "#ff7f0e", value: (r) => r.valLoss },
];
const METRIC_SERIES: Series[] = [
  { label: "val AUC", color: "#2ca02c", value: (r) => r.auc },
  { label: "val recall@10", color: "#d62728", value: (r) => r.recallAt10 },
];

const MARGIN = { left: 48, right: 12, top: 44, bottom: 34 };
const TITLE_HEIGHT = 22;

/**
 * Draws the curves of `records` (in any order; sorted by epoch) as an SVG
 * document. Each series that has values is one or more `<polyline>`s (one per
 * run without gaps; a lone point is drawn as a dot) and a legend entry.
 *
 * @param records the history, not mutated
 * @param options see {@link CurvesSvgOptions}
 * @returns the SVG text
 *
 * @example
 * ```ts
 * import { ok } from "@std/assert";
 * import { curvesSvg } from "./curves_svg.ts";
 * const svg = curvesSvg([
 *   { epoch: 1, loss: 0.9, valLoss: 1.0, auc: 0.6 },
 *   { epoch: 2, loss: 0.5, valLoss: 0.7, auc: 0.8 },
 * ]);
 * ok(svg.startsWith("<svg") && svg.split("<polyline").length - 1 === 3);
 * ```
 */
export function curvesSvg(
  records: readonly EpochRecord[],
  options: CurvesSvgOptions = {},
): string {
  const width = options.width ?? 720;
  const height = options.height ?? 280;
  for (const [name, value] of [["width", width], ["height", height]] as const) {
    if (!Number.isFinite(value) || value < 200) {
      throw new RangeError(
        `Expected ${name} to be a number of at least 200 but found ${value}`,
      );
    }
  }
  records.forEach((r, i) => {
    if (!Number.isFinite(r.epoch)) {
      throw new RangeError(
        `Expected records[${i}].epoch to be a finite number but found ${r.epoch}`,
      );
    }
  });
  const sorted = records.slice().sort((a, b) => a.epoch - b.epoch);
  const top = options.title === undefined ? 0 : TITLE_HEIGHT;
  const panelWidth = width / 2;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ];
  if (options.title !== undefined) {
    parts.push(
      `<text x="${width / 2}" y="16" text-anchor="middle" font-size="13">${
        escapeXml(options.title)
      }</text>`,
    );
  }
  const box = { top, height: height - top };
  const best = options.bestEpoch;
  if (best !== undefined && !sorted.some((r) => r.epoch === best)) {
    throw new RangeError(
      `Expected bestEpoch to be one of the records' epochs but found ${best}`,
    );
  }
  parts.push(
    panel(sorted, LOSS_SERIES, "loss", {
      ...box,
      left: 0,
      width: panelWidth,
    }, { best }),
  );
  parts.push(
    panel(sorted, METRIC_SERIES, "validation metrics", {
      ...box,
      left: panelWidth,
      width: panelWidth,
    }, { best, within: [0, 1] }),
  );
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** How a panel draws its y axis and marks. */
interface PanelOptions {
  /** The epoch to mark with a dashed line. */
  best: number | undefined;
  /** Bounds the y axis never passes (e.g. [0, 1] for rates). */
  within?: [number, number];
}

function panel(
  records: EpochRecord[],
  series: Series[],
  title: string,
  box: Box,
  options: PanelOptions,
): string {
  const plot = {
    x0: box.left + MARGIN.left,
    x1: box.left + box.width - MARGIN.right,
    y0: box.top + box.height - MARGIN.bottom, // bottom edge, larger y
    y1: box.top + MARGIN.top,
  };
  const out = [
    `<g>`,
    `<text x="${fmt((plot.x0 + plot.x1) / 2)}" y="${
      fmt(box.top + 16)
    }" text-anchor="middle" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  const drawn = series
    .map((s) => ({
      s,
      points: records.map((r) => [r.epoch, s.value(r)] as const),
    }))
    .filter(({ points }) => points.some(([, y]) => isValue(y)));
  if (drawn.length === 0) {
    out.push(
      `<text x="${fmt((plot.x0 + plot.x1) / 2)}" y="${
        fmt((plot.y0 + plot.y1) / 2)
      }" text-anchor="middle" fill="#888">no data</text>`,
      `</g>`,
    );
    return out.join("\n");
  }
  const epochs = records.map((r) => r.epoch);
  const xTicks = ticks(Math.min(...epochs), Math.max(...epochs), 6, true);
  const ys = drawn.flatMap(({ points }) =>
    points.map(([, y]) => y).filter(isValue)
  );
  const yTicks = ticks(Math.min(...ys), Math.max(...ys), 5, false);
  if (options.within !== undefined) {
    const [lo, hi] = options.within;
    yTicks.lo = Math.max(lo, yTicks.lo);
    yTicks.hi = Math.min(hi, yTicks.hi);
    yTicks.values = yTicks.values.filter((v) => v >= lo && v <= hi);
  }
  const sx = (x: number) =>
    plot.x0 + ((x - xTicks.lo) / (xTicks.hi - xTicks.lo)) * (plot.x1 - plot.x0);
  const sy = (y: number) =>
    plot.y0 - ((y - yTicks.lo) / (yTicks.hi - yTicks.lo)) * (plot.y0 - plot.y1);

  for (const y of yTicks.values) {
    const py = fmt(sy(y));
    out.push(
      `<line x1="${fmt(plot.x0)}" y1="${py}" x2="${
        fmt(plot.x1)
      }" y2="${py}" stroke="#e5e5e5"/>`,
      `<text x="${
        fmt(plot.x0 - 4)
      }" y="${py}" text-anchor="end" dominant-baseline="middle">${
        y.toFixed(yTicks.decimals)
      }</text>`,
    );
  }
  for (const x of xTicks.values) {
    const px = fmt(sx(x));
    out.push(
      `<line x1="${px}" y1="${fmt(plot.y0)}" x2="${px}" y2="${
        fmt(plot.y0 + 4)
      }" stroke="#333"/>`,
      `<text x="${px}" y="${fmt(plot.y0 + 15)}" text-anchor="middle">${
        x.toFixed(xTicks.decimals)
      }</text>`,
    );
  }
  out.push(
    `<path d="M${fmt(plot.x0)} ${fmt(plot.y1)}V${fmt(plot.y0)}H${
      fmt(plot.x1)
    }" fill="none" stroke="#333"/>`,
    `<text x="${fmt((plot.x0 + plot.x1) / 2)}" y="${
      fmt(plot.y0 + 29)
    }" text-anchor="middle">epoch</text>`,
  );

  if (options.best !== undefined) {
    const px = fmt(sx(options.best));
    out.push(
      `<line x1="${px}" y1="${fmt(plot.y1)}" x2="${px}" y2="${
        fmt(plot.y0)
      }" stroke="#555" stroke-dasharray="4 3" data-best="${options.best}"/>`,
    );
  }

  let legendX = plot.x0;
  drawn.forEach(({ s, points }) => {
    // a ring on the best epoch's value, visible even at the plot's edge
    const atBest = points.find(([x]) => x === options.best)?.[1];
    if (isValue(atBest)) {
      out.push(
        `<circle cx="${fmt(sx(options.best!))}" cy="${
          fmt(sy(atBest))
        }" r="4" fill="none" stroke="${s.color}" stroke-width="1.5" data-best="${options
          .best!}"/>`,
      );
    }
    for (const run of runs(points)) {
      const coords = run.map(([x, y]) => `${fmt(sx(x))},${fmt(sy(y))}`);
      if (run.length === 1) {
        const [cx, cy] = coords[0]!.split(",");
        out.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${s.color}"/>`);
      }
      out.push(
        `<polyline points="${
          coords.join(" ")
        }" fill="none" stroke="${s.color}" stroke-width="1.5" data-series="${
          escapeXml(s.label)
        }"/>`,
      );
    }
    // Legend: one row under the panel title, entries side by side.
    const ly = box.top + 32;
    const lx = legendX;
    legendX += 34 + 6.5 * s.label.length;
    out.push(
      `<line x1="${fmt(lx)}" y1="${fmt(ly)}" x2="${fmt(lx + 16)}" y2="${
        fmt(ly)
      }" stroke="${s.color}" stroke-width="2"/>`,
      `<text x="${fmt(lx + 20)}" y="${fmt(ly)}" dominant-baseline="middle">${
        escapeXml(s.label)
      }</text>`,
    );
  });
  if (options.best !== undefined) {
    // the mark's legend entry, after the series'
    const ly = fmt(box.top + 32);
    const label = `best: epoch ${options.best}`;
    out.push(
      `<line x1="${fmt(legendX)}" y1="${ly}" x2="${
        fmt(legendX + 16)
      }" y2="${ly}" stroke="#555" stroke-dasharray="4 3"/>`,
      `<text x="${fmt(legendX + 20)}" y="${ly}" dominant-baseline="middle">${
        escapeXml(label)
      }</text>`,
    );
  }
  out.push(`</g>`);
  return out.join("\n");
}

function isValue(y: number | undefined): y is number {
  return y !== undefined && Number.isFinite(y);
}

/** Splits points into runs of consecutive finite values. */
function runs(
  points: readonly (readonly [number, number | undefined])[],
): [number, number][][] {
  const out: [number, number][][] = [];
  let current: [number, number][] = [];
  for (const [x, y] of points) {
    if (isValue(y)) {
      current.push([x, y]);
    } else if (current.length > 0) {
      out.push(current);
      current = [];
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** About `count` round tick values (steps of 1, 2 or 5 x 10^k) covering [min, max]. */
function ticks(
  min: number,
  max: number,
  count: number,
  integers: boolean,
): { lo: number; hi: number; values: number[]; decimals: number } {
  if (min === max) {
    const pad = integers ? 1 : Math.abs(min) * 0.1 || 1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ??
    10 * power;
  if (integers) step = Math.max(1, Math.round(step));
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  const values: number[] = [];
  for (let i = 0; lo + i * step <= hi + step * 1e-9; i++) {
    values.push(lo + i * step);
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  return { lo, hi, values, decimals };
}

function fmt(n: number): string {
  return n.toFixed(1);
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
