// The stand-in Zoom consent page of demo mode (src/demo/), read as a browser would: its Allow and Deny links.

const unescapeHtml = (text: string) =>
  text
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');

/** The Allow (or Deny) link of the consent page `html`. */
export function consentLinkIn(html: string, id: 'allow' | 'deny'): string {
  const match = new RegExp(`<a id="${id}" href="([^"]+)"`).exec(html);
  if (!match) throw new Error(`no ${id} link on the consent page:\n${html}`);
  return unescapeHtml(match[1]!);
}
