import assert from "@std/assert";
import { cleanGcide, gcidePairs } from "../../pretrain/gcide_pairs.ts";

Deno.test("cleanGcide drops the etymology's tail and the source tags, and nothing else", () => {
  assert.equal(
    cleanGcide(
      "Astoned, Astond, or Astound.] [See Astonish.] To stun. [Obs.] --Chaucer. [1913 Webster]",
    ),
    "[See Astonish.] To stun. [Obs.] --Chaucer.",
  );
  // a bracket that opens before it closes is part of the text
  assert.equal(
    cleanGcide("To stun; to astonish. [Obs.] [Webster 1913 Suppl.]"),
    "To stun; to astonish. [Obs.]",
  );
  assert.equal(cleanGcide(" [1913 Webster] "), "");
});

Deno.test("gcidePairs keeps WordNet out, whatever the tag looks like", () => {
  const pairs = [
    { term: "Zero", definition: "1. a number [WordNet 1.5 +PJC]" },
    { term: "Nought", definition: "nothing [PJC]" },
    { term: "Noun", definition: "A name. [1913 Webster]" },
    { term: "Blank", definition: "[1913 Webster]" },
  ];
  const r = gcidePairs({
    pairs,
    indexLines: 4,
    meta: 0,
    duplicateTerms: 0,
    duplicateDefinitions: 0,
    empty: 0,
  });
  assert.deepEqual(r.pairs, [{ term: "Noun", definition: "A name." }]);
  assert.deepEqual([r.wordnet, r.meta, r.empty], [2, 0, 1]);
});
