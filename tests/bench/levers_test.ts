import assert from "@std/assert";
import { ROOT } from "../_task.ts";

async function levers(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", `${ROOT}bench/levers.ts`, ...args],
    stdout: "piped",
    stderr: "piped",
    cwd: ROOT,
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** One short round of inference on 2 threads with `lever` (and `extra`). */
function shortRun(lever: string, extra: string[] = []) {
  return levers(
    ["--lever", lever, "--threads", "2", "--rounds", "1", "--steps", "2"]
      .concat(extra, ["--infer"]),
  );
}

Deno.test("levers --lever spin times both arms in one process and prints their ratio", async () => {
  const r = await shortRun("spin");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /lever spin: seed inference, batch 32, 2 thread\(s\)/);
  assert.match(
    r.stdout,
    /^sleep +median \d+\.\d ms {2}25th pct \d+\.\d ms {2}\(2 steps\)$/m,
  );
  assert.match(r.stdout, /^spin 2 ms +median \d+\.\d ms .*\(2 steps\)$/m);
  assert.match(r.stdout, /spin 2 ms \/ sleep: \d+\.\d{3} \(medians\)/);
});

Deno.test("levers refuses an unknown lever, a spin without a pool, and a bad count", async () => {
  const unknown = await levers(["--lever", "fast"]);
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.stderr,
    /--lever: expected adam, spin or balance but found fast/,
  );
  const alone = await levers(["--lever", "spin", "--threads", "1"]);
  assert.equal(alone.code, 2);
  assert.match(alone.stderr, /needs --threads 2 or more/);
  const steps = await levers(["--lever", "adam", "--steps", "0.5"]);
  assert.equal(steps.code, 2);
  assert.match(
    steps.stderr,
    /--steps: expected an integer of at least 1 but found 0.5/,
  );
});

Deno.test("levers --lever balance times the matcher's padded batch split by count and by steps", async () => {
  const r = await shortRun("balance", ["--matcher", "--shuffle"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /lever balance: matcher inference, batch 32, 2 thread\(s\)/,
  );
  assert.match(r.stdout, /^rows by count +median \d+\.\d ms .*\(2 steps\)$/m);
  assert.match(
    r.stdout,
    /rows by steps \/ rows by count: \d+\.\d{3} \(medians\)/,
  );
});
