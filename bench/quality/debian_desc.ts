/**
 * A third data set of a different kind from the dictionaries: Debian package
 * descriptions, synopsis (the one-line summary) -> long description, read
 * from apt's own index files:
 *
 * - `Translation-en` (`Package`, `Description-md5`, `Description-en`: the
 *   synopsis, then the long description as indented lines), which apt
 *   downloads with `apt-get update -o Acquire::Languages=en`;
 * - `Packages` (`Package`, `Source`), to keep one description per source
 *   package: binaries of one source share most of their long description
 *   (`foo`, `foo-data`, `foo-doc`), and would otherwise put near-copies on
 *   both sides of the held-out split.
 *
 * Both may be plain or `.lz4` (decompressed with `lz4cat`).
 *
 * @module
 */
import type { DictPair, DictPairsResult } from "./dictd.ts";

/** One stanza of a Debian control-style file: field name -> value. */
export type Stanza = Map<string, string>;

/**
 * Parses a Debian control-style file (RFC 822-like stanzas separated by
 * blank lines; a line starting with a space continues the field before it,
 * kept with its newline).
 *
 * @param text the file
 * @returns the stanzas in file order
 * @throws {SyntaxError} naming the line when a line is neither a field nor a
 *   continuation
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { parseStanzas } from "./debian_desc.ts";
 * const s = parseStanzas("Package: a\nDescription-en: x\n y\n .\n z\n\nPackage: b\n");
 * assert.equal(s.length, 2);
 * assert.equal(s[0]!.get("Description-en"), "x\n y\n .\n z");
 * assert.equal(s[1]!.get("Package"), "b");
 * ```
 */
export function parseStanzas(text: string): Stanza[] {
  const out: Stanza[] = [];
  let current: Stanza | undefined;
  let field: string | undefined;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") {
      current = undefined;
      field = undefined;
      continue;
    }
    if (line.startsWith(" ") || line.startsWith("\t")) {
      if (current === undefined || field === undefined) {
        throw new SyntaxError(
          `Expected a field before the continuation at line ${
            i + 1
          } but found none: "${line}"`,
        );
      }
      current.set(field, `${current.get(field)}\n${line}`);
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) {
      throw new SyntaxError(
        `Expected "Field: value" at line ${i + 1} but found "${line}"`,
      );
    }
    if (current === undefined) {
      current = new Map();
      out.push(current);
    }
    field = line.slice(0, colon);
    current.set(field, line.slice(colon + 1).trim());
  }
  return out;
}

/**
 * Splits a `Description` value into the synopsis and the long description,
 * as plain text: continuation lines lose their leading space, a line of
 * a lone `.` (a paragraph break) and line breaks become spaces.
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { splitDescription } from "./debian_desc.ts";
 * assert.deepEqual(splitDescription("A tool\n does x\n .\n  and y"),
 *   { synopsis: "A tool", long: "does x and y" });
 * ```
 */
export function splitDescription(
  value: string,
): { synopsis: string; long: string } {
  const [first, ...rest] = value.split("\n");
  const long = rest
    .map((l) => l.trim())
    .filter((l) => l !== ".")
    .join(" ")
    .replace(/\s+/g, " ")
    .trim();
  return { synopsis: (first ?? "").trim(), long };
}

/** A source package name from a `Source` field (`name (version)`). */
function sourceName(field: string | undefined, pkg: string): string {
  if (field === undefined || field === "") return pkg;
  return field.split(" ")[0]!;
}

/**
 * Synopsis -> long description pairs, one per source package. For each
 * source the binary named like it is taken, else the first binary by name.
 * Skipped and counted (in the fields `dictPairs` uses): transitional and
 * dummy packages (`meta`), binaries with no long description (`empty`), a
 * synopsis already kept (`duplicateTerms`, ignoring case) and a long
 * description already kept (`duplicateDefinitions`). `indexLines` counts the
 * descriptions read.
 *
 * @param translations stanzas of `Translation-en`
 * @param packages stanzas of `Packages` (for `Source`); a binary missing
 *   there is its own source
 * @returns the pairs in package-name order and the counts
 *
 * @example
 * ```ts
 * import assert from "@std/assert";
 * import { descriptionPairs, parseStanzas } from "./debian_desc.ts";
 * const t = parseStanzas([
 *   "Package: foo\nDescription-en: Foo tool\n Does foo.\n",
 *   "Package: foo-doc\nDescription-en: Foo tool (docs)\n Does foo.\n",
 *   "Package: bar\nDescription-en: Bar\n",
 * ].join("\n"));
 * const p = parseStanzas("Package: foo-doc\nSource: foo\n");
 * const r = descriptionPairs(t, p);
 * assert.deepEqual(r.pairs, [{ term: "Foo tool", definition: "Does foo." }]);
 * assert.equal(r.empty, 1);
 * ```
 */
export function descriptionPairs(
  translations: readonly Stanza[],
  packages: readonly Stanza[],
): DictPairsResult {
  const sources = new Map<string, string>();
  for (const s of packages) {
    const pkg = s.get("Package");
    if (pkg !== undefined) sources.set(pkg, sourceName(s.get("Source"), pkg));
  }
  // one binary per source: the one named like the source, else the first
  const bySource = new Map<string, { pkg: string; description: string }>();
  for (const s of translations) {
    const pkg = s.get("Package");
    const description = s.get("Description-en");
    if (pkg === undefined || description === undefined) continue;
    const source = sources.get(pkg) ?? pkg;
    const kept = bySource.get(source);
    if (
      kept === undefined ||
      (kept.pkg !== source && (pkg === source || pkg < kept.pkg))
    ) {
      bySource.set(source, { pkg, description });
    }
  }
  const chosen = [...bySource.values()].sort((a, b) =>
    a.pkg < b.pkg ? -1 : a.pkg > b.pkg ? 1 : 0
  );
  const result: DictPairsResult = {
    pairs: [],
    indexLines: translations.length,
    meta: 0,
    duplicateTerms: 0,
    duplicateDefinitions: 0,
    empty: 0,
  };
  const synopses = new Set<string>();
  const longs = new Set<string>();
  for (const { description } of chosen) {
    const { synopsis, long } = splitDescription(description);
    if (/\b(transitional|dummy)\b/i.test(synopsis)) {
      result.meta++;
      continue;
    }
    if (synopsis === "" || long === "") {
      result.empty++;
      continue;
    }
    const key = synopsis.toLowerCase();
    if (synopses.has(key)) {
      result.duplicateTerms++;
      continue;
    }
    if (longs.has(long)) {
      result.duplicateDefinitions++;
      continue;
    }
    synopses.add(key);
    longs.add(long);
    result.pairs.push({ term: synopsis, definition: long } as DictPair);
  }
  return result;
}

/** The text of a file, through `lz4cat` when its name ends in `.lz4`. */
async function readMaybeLz4(path: string): Promise<string> {
  if (!path.endsWith(".lz4")) return await Deno.readTextFile(path);
  const out = await new Deno.Command("lz4cat", { args: [path] }).output();
  if (!out.success) {
    throw new Error(
      `Expected lz4cat to decompress ${path} but it failed: ${
        new TextDecoder().decode(out.stderr).trim()
      }`,
    );
  }
  return new TextDecoder().decode(out.stdout);
}

/** Hex SHA-256 of a file's bytes. */
async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    await Deno.readFile(path),
  );
  return Array.from(
    new Uint8Array(digest),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/** Where the pairs came from, stored in the data's info file. */
export interface DebianProvenance {
  translations: { path: string; sha256: string };
  packages: { path: string; sha256: string };
}

/**
 * Reads `Translation-en` and `Packages` (plain or `.lz4`) into pairs.
 *
 * @param paths the two files
 * @returns see {@link descriptionPairs}, and the files' SHA-256
 *
 * @example
 * ```ts ignore
 * import { readDebianDescriptions } from "./debian_desc.ts";
 * const { pairs } = await readDebianDescriptions({
 *   translations: "bench/.data/apt/Translation-en.lz4",
 *   packages: "bench/.data/apt/Packages.lz4",
 * });
 * ```
 */
export async function readDebianDescriptions(
  paths: { translations: string; packages: string },
): Promise<DictPairsResult & { provenance: DebianProvenance }> {
  const translations = parseStanzas(await readMaybeLz4(paths.translations));
  const packages = parseStanzas(await readMaybeLz4(paths.packages));
  return {
    ...descriptionPairs(translations, packages),
    provenance: {
      translations: {
        path: paths.translations,
        sha256: await sha256(paths.translations),
      },
      packages: { path: paths.packages, sha256: await sha256(paths.packages) },
    },
  };
}
