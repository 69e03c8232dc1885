import { deepStrictEqual, ok, strictEqual, throws } from "@std/assert";
import { curvesSvg, type EpochRecord } from "../../src/train/curves_svg.ts";

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
