// `.env`-style files: KEY=value lines. A moved value's whole line becomes a comment that names
// the secret, so no loader can read a stale or empty value from the file.
export const isDotenvPath = (path: string): boolean => {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return /^\.env(?:\..+)?$/i.test(base) || /\.env$/i.test(base);
};

export interface EnvLine {
  key: string;
  value: string;
  /** The whole line, without its line break. */
  range: [number, number];
}

const LINE = /^[ \t]*(?:export[ \t]+)?(?<key>[A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*(?<raw>.*?)[ \t]*$/;

/** The KEY=value line that holds [start, end), with the value as a dotenv loader reads it. */
export function envLineAt(text: string, start: number): EnvLine | undefined {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  let lineEnd = text.indexOf('\n', start);
  if (lineEnd < 0) lineEnd = text.length;
  const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
  const m = LINE.exec(line);
  if (!m) return undefined;
  return { key: m.groups!.key, value: envValue(m.groups!.raw), range: [lineStart, lineStart + line.length] };
}

/** dotenv's reading of a raw value: quotes stripped, \n expanded in double quotes, # comments cut. */
export function envValue(raw: string): string {
  const q = raw[0];
  if ((q === '"' || q === "'" || q === '`') && raw.indexOf(q, 1) > 0) {
    const inner = raw.slice(1, raw.indexOf(q, 1));
    return q === '"' ? inner.replace(/\\n/g, '\n').replace(/\\r/g, '\r') : inner;
  }
  return raw.replace(/[ \t]+#.*$/, '');
}

export function envComment(line: EnvLine, secret: string): string {
  return `# ${line.key} moved to AWS Secrets Manager: ${secret} (JSON key ${line.key}); run with: leakfix run -- <command>`;
}
