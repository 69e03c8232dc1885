import { deepStrictEqual, ok, strictEqual, throws } from "@std/assert";
import { curvesSvg, type EpochRecord } from "../../src/run/curves_svg.ts";

/** Checks tags nest and close properly and attributes are quoted; returns tag names. */
function wellFormedTags(xml: string): string[] {
  const stack: string[] = [];
  const names: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let at = 0;
  for (const m of xml.matchAll(tag)) {
    const between = xml.slice(at, m.index);
    if (between.includes("<") || between.includes(">")) {
      throw new Error(
        `Expected text without < or > but found ${JSON.stringify(between)}`,
      );
    }
    if (/&(?!#\d+;|amp;|lt;|gt;|quot;|apos;)/.test(between)) {
      throw new Error(
        `Expected escaped & but found ${JSON.stringify(between)}`,
      );
    }
    at = m.index + m[0].length;
    const [, closing, name, , selfClosing] = m;
    if (closing) {
      const open = stack.pop();
      if (open !== name) {
        throw new Error(`Expected </${open}> but found </${name}>`);
      }
    } else {
      names.push(name!);
      if (!selfClosing) stack.push(name!);
    }
  }
  if (xml.slice(at).trim() !== "") {
    throw new Error("Expected nothing after the root element");
  }
  if (stack.length > 0) {
    throw new Error(`Expected </${stack.at(-1)}> but found the end`);
  }
  return names;
}

const HISTORY: EpochRecord[] = [
  { epoch: 1, loss: 0.9, valLoss: 1.1, auc: 0.55, recallAt10: 0.2 },
  { epoch: 2, loss: 0.6, valLoss: 0.8, auc: 0.7, recallAt10: 0.35 },
  { epoch: 3, loss: 0.4, valLoss: 0.7, auc: 0.8, recallAt10: 0.5 },
];

function polylines(svg: string): string[] {
  return [...svg.matchAll(/<polyline [^>]*data-series="([^"]*)"/g)].map((m) =>
    m[1]!
  );
}

Deno.test("curvesSvg() draws one polyline per series", () => {
  const svg = curvesSvg(HISTORY);
  deepStrictEqual(polylines(svg), [
    "loss",
    "val loss",
    "val AUC",
    "val recall@10",
  ]);
});

Deno.test("curvesSvg() produces well-formed SVG", () => {
  const svg = curvesSvg(HISTORY, { title: 'run <1> & "two"' });
  const names = wellFormedTags(svg);
  strictEqual(names[0], "svg");
  ok(svg.includes('xmlns="http://www.w3.org/2000/svg"'));
  ok(svg.includes("run &#60;1&#62; &#38; &#34;two&#34;"));
});

Deno.test("curvesSvg() draws axis ticks and a legend entry per series", () => {
  const svg = curvesSvg(HISTORY);
  for (
    const label of [
      "0.0",
      "0.2",
      "0.4",
      "0.6",
      "0.8",
      "1.0",
      ">1<",
      ">2<",
      ">3<",
      "epoch",
    ]
  ) {
    ok(svg.includes(label), `missing ${label}`);
  }
  for (const label of ["loss", "val loss", "val AUC", "val recall@10"]) {
    ok(svg.includes(`>${label}</text>`), `missing legend ${label}`);
  }
});

Deno.test("curvesSvg() leaves out series without values", () => {
  const svg = curvesSvg([{ epoch: 1, loss: 1 }, { epoch: 2, loss: 0.5 }]);
  deepStrictEqual(polylines(svg), ["loss"]);
  ok(svg.includes("no data"));
  wellFormedTags(svg);
});

Deno.test("curvesSvg() breaks a line at a missing or non-finite value", () => {
  const svg = curvesSvg([
    { epoch: 1, loss: 1, valLoss: 1 },
    { epoch: 2, loss: NaN, valLoss: 0.9 },
    { epoch: 3, loss: 0.5 },
    { epoch: 4, loss: 0.4, valLoss: 0.7 },
  ]);
  deepStrictEqual(polylines(svg), ["loss", "loss", "val loss", "val loss"]);
  strictEqual(svg.split("<circle").length - 1, 2); // lone points: loss at 1, val loss at 4
});

Deno.test("curvesSvg() sorts records by epoch without mutating them", () => {
  const records = [HISTORY[2]!, HISTORY[0]!, HISTORY[1]!];
  strictEqual(curvesSvg(records), curvesSvg(HISTORY));
  strictEqual(records[0], HISTORY[2]);
});

Deno.test("curvesSvg() draws a well-formed image for no records", () => {
  const svg = curvesSvg([]);
  deepStrictEqual(polylines(svg), []);
  wellFormedTags(svg);
});

Deno.test("curvesSvg() rejects a non-finite epoch", () => {
  throws(() => curvesSvg([{ epoch: NaN, loss: 1 }]), {
    message: "Expected records[0].epoch to be a finite number but found NaN",
  });
});

Deno.test("curvesSvg() rejects a tiny width", () => {
  throws(() => curvesSvg(HISTORY, { width: 50 }), {
    message: "Expected width to be a number of at least 200 but found 50",
  });
});

/** The points of the polylines of a series, as numbers. */
function points(svg: string, series: string): [number, number][] {
  return [
    ...svg.matchAll(/<polyline points="([^"]*)"[^>]*data-series="([^"]*)"/g),
  ]
    .filter((m) => m[2] === series)
    .flatMap((m) =>
      m[1]!.split(" ").map((p) => p.split(",").map(Number) as [number, number])
    );
}

/** The y tick labels of the panel whose plot starts right of `minX`. */
function yTickLabels(svg: string, minX: number, maxX: number): string[] {
  return [...svg.matchAll(
    /<text x="([\d.]+)" y="[\d.]+" text-anchor="end" dominant-baseline="middle">([^<]*)<\/text>/g,
  )]
    .filter((m) => Number(m[1]) > minX && Number(m[1]) < maxX)
    .map((m) => m[2]!);
}

Deno.test("curvesSvg() marks the best epoch with a dashed line in both panels", () => {
  const svg = curvesSvg(HISTORY, { bestEpoch: 2 });
  const marks = [
    ...svg.matchAll(
      /<line x1="([\d.]+)"[^>]*stroke-dasharray[^>]*data-best="2"/g,
    ),
  ].map((m) => Number(m[1]));
  strictEqual(marks.length, 2);
  // at the x of epoch 2 of each panel's curves
  strictEqual(marks[0], points(svg, "loss")[1]![0]);
  strictEqual(marks[1], points(svg, "val recall@10")[1]![0]);
  ok(!curvesSvg(HISTORY).includes("data-best"));
  // and rings each series' value there
  const rings = [
    ...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)"[^>]*data-best="2"/g),
  ]
    .map((m) => [Number(m[1]), Number(m[2])]);
  deepStrictEqual(rings, [
    points(svg, "loss")[1],
    points(svg, "val loss")[1],
    points(svg, "val AUC")[1],
    points(svg, "val recall@10")[1],
  ]);
  wellFormedTags(svg);
});

Deno.test("curvesSvg() rejects a best epoch that is not among the records", () => {
  throws(() => curvesSvg(HISTORY, { bestEpoch: 7 }), {
    message: "Expected bestEpoch to be one of the records' epochs but found 7",
  });
});

Deno.test("curvesSvg() scales the loss axis to the losses and the metrics axis to the metrics within [0, 1]", () => {
  const history: EpochRecord[] = [
    { epoch: 1, loss: 3.17, valLoss: 2.9, auc: 0.991, recallAt10: 0.962 },
    { epoch: 2, loss: 2.4, valLoss: 2.5, auc: 0.998, recallAt10: 0.981 },
    { epoch: 3, loss: 2.0, valLoss: 2.35, auc: 1, recallAt10: 0.997 },
  ];
  const svg = curvesSvg(history, { height: 300 });
  // each panel's curves fill most of its plot height (plot: 300 - 44 - 34)
  for (const series of [["loss", "val loss"], ["val AUC", "val recall@10"]]) {
    const ys = series.flatMap((s) => points(svg, s).map(([, y]) => y));
    const spread = Math.max(...ys) - Math.min(...ys);
    ok(spread > 0.6 * 222, `${series}: spread ${spread}`);
  }
  const lossTicks = yTickLabels(svg, 0, 360).map(Number);
  ok(lossTicks[0]! <= 2 && lossTicks.at(-1)! >= 3.17, `${lossTicks}`);
  const metricTicks = yTickLabels(svg, 360, 720).map(Number);
  ok(metricTicks[0]! > 0.9 && metricTicks.at(-1) === 1, `${metricTicks}`);
});
