// Just enough Markdown for the docs check: links outside fenced code, GitHub's heading anchors, and the
// `npm run` commands a text tells someone to type.

export interface MarkdownLink {
  target: string;
  line: number;
}

/**
 * Lines with fenced code blocks blanked out (kept as empty lines, so line numbers stay right), and inline code
 * spans too unless `keepInlineCode`.
 */
function outsideFencedCode(text: string, keepInlineCode = false): string[] {
  let fence: string | undefined;
  return text.split('\n').map((line) => {
    const marker = /^\s*(```+|~~~+)/.exec(line)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      return '';
    }
    if (fence !== undefined) return '';
    return keepInlineCode ? line : line.replace(/`[^`]*`/g, '');
  });
}

/** Inline links and images `[text](target "title")`, and reference definitions `[id]: target`. */
export function markdownLinks(text: string): MarkdownLink[] {
  return outsideFencedCode(text).flatMap((line, index) => {
    const inline = [...line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1]!);
    const definition = /^\s*\[[^\]]+\]:\s*<?([^\s>]+)>?/.exec(line)?.[1];
    return [...inline, ...(definition ? [definition] : [])].map((target) => ({ target, line: index + 1 }));
  });
}

/** The anchors GitHub gives a document's headings: lower case, punctuation dropped, spaces as hyphens, -1 -2 for repeats. */
export function headingAnchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of outsideFencedCode(text, true)) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = heading
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/[`*~]/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** Every script named by `npm run X` (or `npm run -s X`), in code or prose. */
export function npmRunScripts(text: string): string[] {
  return [...text.matchAll(/\bnpm run(?:\s+-{1,2}[a-z]+)*\s+([a-z][\w:.-]*)/g)].map((match) => match[1]!.replace(/[.:]$/, ''));
}
