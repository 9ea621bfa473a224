// Python sites: the string literal around a secret, the name it is assigned to, and where an
// `import os` goes when the file has none.
export const isPythonPath = (path: string): boolean => /\.pyw?$/i.test(path);

export interface PySite {
  literal: [number, number];
  whole: boolean;
  value: string;
  quote: string;
  before: string;
  after: string;
  holder?: string;
}

/** The literal around [start, end) on its line, or a reason it must be moved by hand. */
export function pySite(text: string, start: number, end: number): PySite | { manual: string } {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  let lineEnd = text.indexOf('\n', end);
  if (lineEnd < 0) lineEnd = text.length;
  const line = text.slice(lineStart, lineEnd);
  // Every short string literal on the line, with its prefix; the one that holds the span wins.
  const LITERAL = /(?<prefix>[rRuUbBfF]{0,2})(?<q>'''|"""|'|")(?<body>(?:\\.|(?!\k<q>)[^\\])*)\k<q>/g;
  for (const m of line.matchAll(LITERAL)) {
    const litStart = lineStart + m.index!;
    const litEnd = litStart + m[0].length;
    const prefix = m.groups!.prefix;
    const q = m.groups!.q;
    const bodyStart = litStart + prefix.length + q.length;
    const bodyEnd = litEnd - q.length;
    if (start < bodyStart || end > bodyEnd) continue;
    if (/[bBfF]/.test(prefix)) return { manual: 'a bytes or f-string literal' };
    const body = text.slice(bodyStart, bodyEnd);
    const whole = start === bodyStart && end === bodyEnd;
    const value = text.slice(start, end);
    if (value.includes('\\') && !/[rR]/.test(prefix)) return { manual: 'the secret holds escape sequences' };
    if (!whole && /[{}]/.test(body)) return { manual: 'braces in the surrounding string' };
    const head = line.slice(0, m.index!);
    const holder = /([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*[A-Za-z_][\w[\], .]*)?=\s*$/.exec(head)?.[1] ?? /["']([A-Za-z_][A-Za-z0-9_-]*)["']\s*:\s*$/.exec(head)?.[1];
    return {
      literal: [litStart, litEnd],
      whole,
      value,
      quote: q,
      before: text.slice(bodyStart, start),
      after: text.slice(end, bodyEnd),
      holder,
    };
  }
  return { manual: 'not inside a one-line string literal' };
}

export function pyReplacement(site: PySite, name: string): string {
  if (site.whole) return `os.environ["${name}"]`;
  const inner = site.quote.includes('"') ? `os.environ['${name}']` : `os.environ["${name}"]`;
  return `f${site.quote}${site.before}{${inner}}${site.after}${site.quote}`;
}

/** Where `import os` goes, or undefined when os is already imported at top level. */
export function importOsOffset(text: string): number | undefined {
  if (/^import[ \t]+(?:[\w.]+[ \t]*,[ \t]*)*os\b(?![.\w])/m.test(text)) return undefined;
  const lines = text.split('\n');
  let offset = 0;
  let insertAt = 0;
  let i = 0;
  // After a shebang, encoding comments, the module docstring and `from __future__` imports.
  while (i < lines.length) {
    const l = lines[i];
    if (i === 0 && l.startsWith('#!')) insertAt = offset + l.length + 1;
    else if (/^\s*#/.test(l) || /^\s*$/.test(l)) {
      /* comments and blank lines before code */
    } else if (/^[rRuU]?("""|''')/.test(l)) {
      const q = /("""|''')/.exec(l)![1];
      let j = i;
      let rest = l.slice(l.indexOf(q) + 3);
      while (!rest.includes(q) && j + 1 < lines.length) {
        offset += lines[j].length + 1;
        j++;
        rest = lines[j];
      }
      offset += lines[j].length + 1;
      i = j + 1;
      insertAt = offset;
      continue;
    } else if (/^from\s+__future__\s+import\b/.test(l)) insertAt = offset + l.length + 1;
    else break;
    offset += l.length + 1;
    i++;
  }
  return Math.min(insertAt, text.length);
}
