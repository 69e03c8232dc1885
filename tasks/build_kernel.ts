/**
 * Compiles the C sources of `src/wasm/` (`kernels.c`, which includes the
 * other `.c` and `.h` files there as one translation unit) to WebAssembly
 * and writes the binary, base64-encoded, into `src/wasm/kernels_wasm.ts`.
 *
 * ```sh
 * deno task build:kernel           # rebuild and write the module
 * deno task build:kernel --check   # rebuild into a temp dir; fail if it differs
 * ```
 *
 * Needs clang 16 and its wasm-ld (Debian 12: `apt-get install clang-16
 * lld-16`): clang 14 encodes relaxed SIMD with the proposal's early opcodes,
 * which V8 rejects. The output is deterministic for a given clang version,
 * so `--check` catches a source edit that was not rebuilt.
 *
 * Four variants: plain or shared memory (for worker threads), each with
 * SIMD128 only or with relaxed SIMD as well (fused multiply-add); the
 * kernel loader picks relaxed SIMD when the engine validates it.
 *
 * @module
 */
import { parseArgs } from "@std/cli/parse-args";

const KERNEL_DIR = new URL("../src/wasm/", import.meta.url);
/** The translation unit clang compiles; it includes the other sources. */
const SOURCE = new URL("kernels.c", KERNEL_DIR);
const TARGET = new URL("kernels_wasm.ts", KERNEL_DIR);

/** The `.c` and `.h` files of the kernel directory, sorted by name. */
async function sourceNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(KERNEL_DIR)) {
    if (entry.isFile && /\.[ch]$/.test(entry.name)) names.push(entry.name);
  }
  return names.sort();
}

/**
 * clang flags: SIMD128, the memory imported (it is tfjs-backend-wasm's
 * heap), no libc. `-Wframe-larger-than=0` with `-Werror` rejects any function
 * that needs a stack frame: the module's stack pointer would point into
 * memory tfjs owns.
 */
const FLAGS = [
  "--target=wasm32",
  "-msimd128",
  "-O3",
  "-ffreestanding",
  "-nostdlib",
  "-Wall",
  "-Werror",
  "-Wframe-larger-than=0",
  "-Wl,--no-entry",
  "-Wl,--import-memory",
  "-Wl,-z,stack-size=0", // no function has a stack frame (see above)
  "-Wl,--strip-all",
];

/** The compiler: clang 16 (see the module documentation). */
const CLANG = "clang-16";

/** Extra flags of the relaxed-SIMD variants. */
const RELAXED_FLAGS = ["-mrelaxed-simd"];

/** Extra flags of the variant for worker threads: the memory is shared. */
const SHARED_FLAGS = [
  "-matomics",
  "-mbulk-memory",
  "-Wl,--shared-memory",
  "-Wl,--max-memory=4294967296",
];

/** Ids of the sections of a WebAssembly binary. */
function sectionIds(wasm: Uint8Array): number[] {
  const ids: number[] = [];
  let at = 8; // magic and version
  while (at < wasm.length) {
    const id = wasm[at++]!;
    let size = 0, shift = 0, byte: number;
    do {
      byte = wasm[at++]!;
      size |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    ids.push(id);
    at += size;
  }
  return ids;
}

/** The binary must not initialise memory: that memory belongs to tfjs. */
function checkNoData(wasm: Uint8Array): void {
  const DATA = 11, DATA_COUNT = 12;
  if (sectionIds(wasm).some((id) => id === DATA || id === DATA_COUNT)) {
    throw new Error(
      "kernels.wasm has a data section: the C sources must not use static data (it would overwrite tfjs's heap)",
    );
  }
}

async function compile(
  outDir: string,
  name: string,
  extra: string[] = [],
): Promise<Uint8Array> {
  const out = `${outDir}/${name}.wasm`;
  const run = new Deno.Command(CLANG, {
    args: [...FLAGS, ...extra, "-o", out, SOURCE.pathname],
    stdout: "inherit",
    stderr: "piped",
  }).output().catch((e) => {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(
        `${CLANG} not found: install it with \`apt-get install -y clang-16 lld-16\` (Debian 12)`,
      );
    }
    throw e;
  });
  const { code, stderr } = await run;
  if (code !== 0) {
    throw new Error(
      `clang failed (exit ${code}):\n${new TextDecoder().decode(stderr)}`,
    );
  }
  const wasm = await Deno.readFile(out);
  checkNoData(wasm);
  return wasm;
}

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    bytes as Uint8Array<ArrayBuffer>,
  );
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

interface Variants {
  plain: Uint8Array;
  shared: Uint8Array;
  relaxed: Uint8Array;
  relaxedShared: Uint8Array;
}

async function render(v: Variants): Promise<string> {
  const sources: string[] = [];
  for (const name of await sourceNames()) {
    const bytes = await Deno.readFile(new URL(name, KERNEL_DIR));
    sources.push(`// ${name} sha256 ${await sha256(bytes)}`);
  }
  const line = async (name: string, wasm: Uint8Array) =>
    `// ${name} sha256 ${await sha256(wasm)}, ${wasm.length} bytes`;
  return `/**
 * Generated by tasks/build_kernel.ts from kernels.c and the files it
 * includes. Do not edit.
 *
 * @module
 */
// ${CLANG} ${FLAGS.join(" ")}
// shared variants add: ${SHARED_FLAGS.join(" ")}
// relaxed variants add: ${RELAXED_FLAGS.join(" ")}
${sources.join("\n")}
${await line("kernels.wasm", v.plain)}
${await line("shared kernels.wasm", v.shared)}
${await line("relaxed kernels.wasm", v.relaxed)}
${await line("relaxed shared kernels.wasm", v.relaxedShared)}

/** The compiled kernel module (see kernels.c), base64; imports a plain memory. */
export const KERNELS_WASM_BASE64 =
  "${toBase64(v.plain)}";

/** The same module for worker threads, base64; imports a shared memory. */
export const KERNELS_WASM_SHARED_BASE64 =
  "${toBase64(v.shared)}";

/** The module with relaxed SIMD (fused multiply-add), plain memory. */
export const KERNELS_WASM_RELAXED_BASE64 =
  "${toBase64(v.relaxed)}";

/** The module with relaxed SIMD, shared memory. */
export const KERNELS_WASM_RELAXED_SHARED_BASE64 =
  "${toBase64(v.relaxedShared)}";
`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { check: { type: "boolean", default: false } },
  });
  const dir = await Deno.makeTempDir({ prefix: "wasm_kernels_" });
  try {
    const text = await render({
      plain: await compile(dir, "kernels"),
      shared: await compile(dir, "kernels_shared", SHARED_FLAGS),
      relaxed: await compile(dir, "kernels_relaxed", RELAXED_FLAGS),
      relaxedShared: await compile(dir, "kernels_relaxed_shared", [
        ...RELAXED_FLAGS,
        ...SHARED_FLAGS,
      ]),
    });
    if (values.check) {
      const committed = await Deno.readTextFile(TARGET).catch(() => "");
      if (committed !== text) {
        console.error(
          "kernels_wasm.ts is out of date with the C sources (or clang differs): run `deno task build:kernel`.",
        );
        Deno.exit(1);
      }
      console.error("kernels_wasm.ts matches the C sources");
    } else {
      await Deno.writeTextFile(TARGET, text);
      console.error(`wrote ${TARGET.pathname}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();
