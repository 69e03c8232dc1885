/** Test helper: writes `content` to a new file named `name` in a fresh temp dir. */
export async function tempFile(
  name: string,
  content: string | Uint8Array,
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "siamese-test-" });
  const path = `${dir}/${name}`;
  if (typeof content === "string") await Deno.writeTextFile(path, content);
  else await Deno.writeFile(path, content);
  return path;
}
