// Values that have the shape of a credential but are documentation, templates or
// references to where the real value lives. Shared by every detector.

const PLACEHOLDER_MARKERS =
  /example|x{4,}|\*{3,}|\.{3}|…|<[^<>\s]{1,60}>|\$\{[^}]*\}|\{\{[^}]*\}\}|%\([^)]*\)s|changeme|change[_-]me|replace[_-]?me|your[_-]|placeholder|dummy|redacted|insert[_-]|put[_-]your|enter[_-]your|sample[_-]|<%|%>/i;

const SEQUENCES = ['0123456789', 'abcdefghijklmnopqrstuvwxyz', 'qwertyuiop', 'asdfghjkl'];

export function isPlaceholder(value: string): boolean {
  if (PLACEHOLDER_MARKERS.test(value)) return true;
  if (/^(.)\1+$/s.test(value)) return true;
  // A run of one repeated character (0000…, aaaa…) marks a template; random tokens never have one.
  if (/([A-Za-z0-9])\1{7}/.test(value)) return true;
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
