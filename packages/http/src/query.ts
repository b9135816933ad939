/** @module query — split a raw request-target into a decoded path and query map, the way the dialects need it. */

/**
 * Percent-decodes `%XX` sequences, leaving `+` alone: the Alibaba Node SDKs put receipt handles (base64 with `+`)
 * into the query unencoded, so `+` must never become a space. A malformed escape leaves the text as it was.
 */
export function decodeComponent(text: string): string {
  if (text.indexOf('%') === -1) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Splits a request-target into its decoded path and its query map (first value of a repeated key wins). */
export function splitTarget(target: string): { path: string; query: Map<string, string> } {
  const q = target.indexOf('?');
  const query = new Map<string, string>();
  if (q === -1) return { path: decodeComponent(target), query };
  const path = decodeComponent(target.slice(0, q));
  const search = target.slice(q + 1);
  let start = 0;
  while (start <= search.length) {
    let end = search.indexOf('&', start);
    if (end === -1) end = search.length;
    if (end > start) {
      const pair = search.slice(start, end);
      const eq = pair.indexOf('=');
      const name = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
      const value = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1));
      if (!query.has(name)) query.set(name, value);
    }
    start = end + 1;
  }
  return { path, query };
}
