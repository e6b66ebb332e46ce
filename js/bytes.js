// Bytes carried inside a page as text: base64 decoding and gzip decompression, both done by the browser itself
// (nothing is fetched). Kept free of dependencies: the page bootstrap (js/page.js) bundles it on its own.

/** The bytes a base64 text holds. */
export function base64Bytes(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The bytes a gzip stream holds, decompressed by the browser (DecompressionStream: nothing fetched). */
export async function gunzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
