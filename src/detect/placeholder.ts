// Values that have the shape of a credential but are documentation, templates or
// references to where the real value lives. Shared by every detector.

const PLACEHOLDER_MARKERS =
  /example|x{4,}|\*{3,}|\.{3}|…|<[^<>\s]{1,60}>|\$\{[^}]*\}|\{\{[^}]*\}\}|%\([^)]*\)s|changeme|change[_-]me|replace[_-]?me|your[_-]|placeholder|dummy|redacted|insert[_-]|put[_-]your|enter[_-]your|sample[_-]|<%|%>/i;

function mostlyOneCharacter(value: string): boolean {
  const counts = new Map<string, number>();
  let total = 0;
  for (const ch of value) {
    if (!/[A-Za-z0-9]/.test(ch)) continue;
    total++;
    counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  return total >= 8 && Math.max(...counts.values()) > total / 2;
}

const SEQUENCES = ['0123456789', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiop', 'asdfghjkl'];

export function isPlaceholder(value: string): boolean {
  if (PLACEHOLDER_MARKERS.test(value)) return true;
  if (/^(.)\1+$/s.test(value)) return true;
  // Mostly one character (pat-na1-00000000-0000-…): a template. Fixed runs inside a real
  // format (Dropbox's AAAAAAAAAA) are a small share of the token, so they pass.
  if (mostlyOneCharacter(value)) return true;
  const lower = value.toLowerCase();
  // A long value that is mostly one alphabetic sequence (abcdef…, 012345…) is a template.
  for (const seq of SEQUENCES) {
    if (lower.length >= 8 && seq.includes(lower.slice(0, 8)) && lower.length <= seq.length) return true;
  }
  return false;
}

/** References to where a secret is kept rather than the secret itself. */
const REFERENCE =
  /^\$[A-Za-z_][A-Za-z0-9_]*$|^\$\(|^%[A-Za-z_][A-Za-z0-9_]*%$|process\.env|import\.meta\.env|os\.environ|os\.getenv|getenv\(|System\.getenv|Environment\.GetEnvironmentVariable|ENV\[|ENV\.fetch|env\(|secretsmanager|arn:aws:|^ssm:|^vault:|^op:\/\/|^!Ref|^!Sub|^!GetAtt|secretKeyRef|valueFrom|^(?:var|local|data|module)\.[a-z_]/i;

export function isReference(value: string): boolean {
  return REFERENCE.test(value);
}
