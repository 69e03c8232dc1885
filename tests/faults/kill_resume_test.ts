/**
 * A run killed with SIGKILL again and again, at seeded random moments and
 * while it writes a checkpoint, or stopped by Ctrl-C in the middle of an
 * epoch (its checkpoint then holds the step), and resumed each time on 1 or
 * 2 threads,
 * ends bit for bit where an uninterrupted run ends: the same checkpoint
 * bytes (weights, Adam state), best model and loss history.
 */
import assert from "@std/assert";
import { writeConfig } from "../_numbers.ts";
import { tempDir } from "../_temp_file.ts";

const root = new URL("../../", import.meta.url).pathname;

/** Big enough for ~25 steps an epoch, small enough for a 3 s run. */
const KILL_SETTINGS = {
  data: { pairs: 400, val_pairs: 32 },
  model: {
    lstm_units: 4,
    dense_units: 8,
    embedding_dim: 4,
    left_len: 6,
    right_len: 9,
  },
};
const EPOCHS = 5;
const KILLS = 7;

/** Seeded uniform numbers in [0, 1) (mulberry32). */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How one attempt is to end. */
type Kill =
  | { at: "time"; ms: number; signal: "SIGKILL" | "SIGINT" } // after the first step's progress line
  | { at: "checkpoint"; skip: number } // as the (skip+1)th checkpoint write starts
  | { at: "never" };

function spawnTrain(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      `${root}tasks/train.ts`,
      ...args,
    ],
    stdout: "null",
    stderr: "piped",
    cwd: root,
  }).spawn();
}

/** Runs the train command until it exits or the kill comes. */
async function attempt(
  args: string[],
  kill: Kill,
  watchDir: string,
): Promise<{ code: number; killed: boolean; stderr: string; ms: number }> {
  const child = spawnTrain(args);
  let killed = false;
  const killNow = () => {
    if (killed) return;
    killed = true;
    try {
      child.kill(kill.at === "time" ? kill.signal : "SIGKILL");
    } catch { /* already exited */ }
  };
  let watcher: Deno.FsWatcher | undefined;
  if (kill.at === "checkpoint") {
    watcher = Deno.watchFs(watchDir, { recursive: true });
    const writes = new Set<string>();
    (async () => {
      for await (const event of watcher!) {
        for (const p of event.paths) {
          const m = /\.checkpoint\.tmp-[0-9a-f]+/.exec(p);
          if (m) writes.add(m[0]);
        }
        if (writes.size > kill.skip) {
          killNow();
          break;
        }
      }
    })();
  }
  let stderr = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  let started: number | undefined;
  const dec = new TextDecoder();
  for await (const chunk of child.stderr) {
    stderr += dec.decode(chunk);
    if (started === undefined && /\d+\/\d+ +loss/.test(stderr)) {
      started = performance.now();
      if (kill.at === "time") timer = setTimeout(killNow, kill.ms);
    }
  }
  const status = await child.status;
  const ms = started === undefined ? 0 : performance.now() - started;
  clearTimeout(timer);
  watcher?.close();
  return {
    code: status.code,
    // Ctrl-C stops after the current step and exits 130
    killed: killed && (status.signal === "SIGKILL" || status.code === 130),
    stderr,
    ms,
  };
}

/** A loop state without its wall-clock figures. */
function untimed(state: { history: Record<string, unknown>[] }) {
  return {
    ...state,
    history: state.history.map(({ ms_per_step: _, seconds: __, ...h }) => h),
  };
}

const FILES = [
  "checkpoint/model.bin",
  "checkpoint/optimizer.bin",
  "left/weights.bin",
  "right/weights.bin",
];

async function outcome(dir: string) {
  const bytes = await Promise.all(
    FILES.map((f) => Deno.readFile(`${dir}/${f}`)),
  );
  const config = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
  const state =
    JSON.parse(await Deno.readTextFile(`${dir}/checkpoint/state.json`)).state;
  return {
    bytes,
    losses: config.history.map((h: { loss: number }) => h.loss),
    state,
  };
}

Deno.test("a run killed -9 at random steps and during checkpoint writes, or stopped by Ctrl-C, resumed on 1 or 2 threads, ends bit-identical to an uninterrupted run", async () => {
  const dir = await tempDir();
  const out = `${dir}/killed`;
  const config = await writeConfig(`${dir}/kill.json`, KILL_SETTINGS);
  const fresh = (
    out: string,
    threads: number,
  ) => [
    "--config",
    config,
    "--epochs",
    String(EPOCHS),
    "--threads",
    String(threads),
    "--out",
    out,
  ];
  const straight = await attempt(
    fresh(`${dir}/straight`, 2),
    { at: "never" },
    dir,
  );
  assert.equal(straight.code, 0, straight.stderr);
  // Kills are drawn within what is left of the run, scaled by the straight
  // run's time from its first progress line to its end, so that they land
  // on a fast machine as on a slow one.
  const total = (await outcome(`${dir}/straight`)).state.step as number;
  const left = async (): Promise<number> => {
    try {
      const state = JSON.parse(
        await Deno.readTextFile(`${out}/checkpoint/state.json`),
      ).state;
      return 1 - state.step / total;
    } catch {
      return 1; // no checkpoint yet: the run starts afresh
    }
  };

  const next = uniform(19);
  let kills = 0;
  const log: string[] = [];
  for (let run = 0; run < 40; run++) {
    const threads = 1 + (run % 2);
    const remaining = await left();
    // checkpoints still to be written: one per epoch end
    const writes = Math.max(1, Math.round(remaining * EPOCHS));
    const kill: Kill = kills >= KILLS
      ? { at: "never" }
      : next() < 0.35
      ? { at: "checkpoint", skip: Math.floor(next() * Math.min(3, writes)) }
      : {
        at: "time",
        ms: Math.floor(next() * 0.7 * remaining * straight.ms),
        signal: next() < 0.25 ? "SIGINT" : "SIGKILL",
      };
    // continue what is there; start afresh when nothing is to continue
    let r = await attempt(
      ["--resume", out, "--threads", String(threads)],
      kill,
      dir,
    );
    if (
      r.code === 2 &&
      /expected a run directory with a checkpoint/.test(r.stderr)
    ) {
      r = await attempt(fresh(out, threads), kill, dir);
    }
    log.push(
      `${JSON.stringify(kill)} threads ${threads}: ${
        r.killed ? "killed" : `exit ${r.code}`
      }`,
    );
    if (r.killed) {
      kills++;
      continue;
    }
    if (r.code === 0 && kills < KILLS && kill.at !== "never") {
      // finished before its kill came: start over, afresh
      await Deno.remove(out, { recursive: true });
      kills = 0;
      continue;
    }
    assert.equal(r.code, 0, `${log.join("\n")}\n${r.stderr}`);
    break;
  }
  assert.ok(kills >= KILLS, log.join("\n"));
  const a = await outcome(`${dir}/straight`);
  const b = await outcome(out);
  assert.deepStrictEqual(b.losses, a.losses, log.join("\n"));
  assert.deepStrictEqual(untimed(b.state), untimed(a.state));
  FILES.forEach((f, i) =>
    assert.ok(
      b.bytes[i]!.every((x, k) => x === a.bytes[i]![k]) &&
        b.bytes[i]!.length === a.bytes[i]!.length,
      `${f} differs\n${log.join("\n")}`,
    )
  );
  for await (const e of Deno.readDir(out)) {
    assert.ok(
      !/\.(tmp|old|new)-|train\.lock/.test(e.name),
      `${e.name} left in ${out}`,
    );
  }
});
