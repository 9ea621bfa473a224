// Generic detector: a secret-looking value assigned to a credential-named key, in the
// assignment syntaxes of code and config files. It runs only around prefilter hits of the
// credential words below, so its cost follows how often those words occur, not file size.
import { charClasses, shannonEntropy } from './entropy.js';
import { isPlaceholder, isReference } from './placeholder.js';
import type { Severity } from '../types.js';

export interface GenericRuleInfo {
  id: string;
  name: string;
  severity: Severity;
  remediation: string;
}

export const GENERIC_RULES: Record<string, GenericRuleInfo> = {
  'generic.password': { id: 'generic.password', name: 'Hard-coded password', severity: 'high', remediation: 'Change the password and read it from the environment or a secret store.' },
  'generic.secret': { id: 'generic.secret', name: 'Hard-coded secret', severity: 'high', remediation: 'Rotate the secret and read it from the environment or a secret store.' },
  'generic.token': { id: 'generic.token', name: 'Hard-coded token', severity: 'high', remediation: 'Revoke the token and read a new one from the environment or a secret store.' },
  'generic.api-key': { id: 'generic.api-key', name: 'Hard-coded API key', severity: 'high', remediation: 'Revoke the key at its provider and read a new one from the environment or a secret store.' },
  'generic.private-key': { id: 'generic.private-key', name: 'Hard-coded private or signing key', severity: 'high', remediation: 'Replace the key and load it from a secret store.' },
  'generic.credentials': { id: 'generic.credentials', name: 'Hard-coded credentials', severity: 'high', remediation: 'Rotate the credentials and read them from the environment or a secret store.' },
};

/** Lower-case words that, somewhere in an identifier, make the prefilter look closer. */
export const GENERIC_KEYWORDS = [
  'passw', 'passwd', 'pwd', 'passphrase', '_pass', 'secret', 'token', 'apikey', 'api_key', 'api-key',
  'accesskey', 'access_key', 'access-key', 'privatekey', 'private_key', 'private-key', 'signingkey',
  'signing_key', 'encryptionkey', 'encryption_key', 'masterkey', 'master_key', 'auth', 'credential',
];

const NOT_SECRET_TAIL = new Set([
  'length', 'len', 'min', 'max', 'size', 'count', 'file', 'path', 'dir', 'name', 'id', 'ids', 'url', 'uri', 'type',
  'field', 'label', 'hint', 'policy', 'regex', 'pattern', 'expiry', 'expires', 'expiration', 'ttl', 'timeout',
  'enabled', 'required', 'header', 'prefix', 'suffix', 'env', 'var', 'endpoint', 'version', 'hash', 'format', 'mode',
  'placeholder', 'provider', 'method', 'strategy', 'scheme', 'endpoint', 'host', 'port', 'user', 'username', 'arn',
  'ref', 'key_id', 'reset', 'rotation', 'lifetime', 'age', 'algorithm', 'alg', 'kind', 'store', 'manager', 'class',
  'generator', 'validator', 'input', 'error', 'message', 'text', 'title', 'description', 'changed', 'confirmation',
  'location', 'source', 'mount', 'volume', 'service', 'keys', 'sha', 'digest', 'checksum', 'fingerprint', 'index',
]);

const CODE_EXT = /\.(?:[cm]?[jt]sx?|flow|map|py|java|kt|kts|go|rb|php|cs|swift|scala|rs|c|cc|cpp|h|hpp|m|dart|groovy|lua|pl|ex|exs|vue|svelte)$/i;

const STOP_VALUES = new Set([
  'true', 'false', 'null', 'nil', 'none', 'undefined', 'yes', 'no', 'on', 'off', 'required', 'optional',
  'disabled', 'enabled', 'password', 'passwd', 'secret', 'token', 'apikey', 'api_key', 'string', 'str',
  'default', 'hidden', 'masked', 'value', 'empty', 'blank', 'test', 'testing', 'bearer', 'basic', 'boolean',
  'number', 'object', 'integer', 'int', 'bytes', 'secretstring', 'notset', 'not_set', 'unset',
]);

/** Identifier → its words (camelCase, snake_case, kebab-case), lower-case. */
export function words(identifier: string): string[] {
  return identifier
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Which generic rule a key name belongs to, or undefined when it is not credential-named. */
export function credentialKind(identifier: string): string | undefined {
  const w = words(identifier);
  if (w.length === 0) return undefined;
  const last = w[w.length - 1];
  const prev = w.length > 1 ? w[w.length - 2] : '';
  if (NOT_SECRET_TAIL.has(last)) return undefined;
  if (['password', 'passwd', 'pwd', 'passphrase', 'pass', 'passwort', 'contrasena', 'senha'].includes(last)) {
    // `pass` alone is too vague (a pass/fail flag); it needs a qualifier such as db_pass.
    if (last === 'pass' && !prev) return undefined;
    return 'generic.password';
  }
  if (last === 'secret' || last === 'secrets') return 'generic.secret';
  if (last === 'token' || last === 'tokens') return 'generic.token';
  if (last === 'apikey' || (last === 'key' && prev === 'api')) return 'generic.api-key';
  if (last === 'key' && ['access', 'secret', 'private', 'signing', 'encryption', 'master', 'client', 'app', 'auth', 'license', 'account', 'storage', 'shared', 'hmac', 'jwt', 'session', 'subscription', 'consumer'].includes(prev)) {
    return prev === 'private' || prev === 'signing' || prev === 'encryption' || prev === 'master' || prev === 'hmac' ? 'generic.private-key' : 'generic.api-key';
  }
  if (['accesskey', 'secretkey', 'privatekey', 'signingkey', 'masterkey', 'encryptionkey'].includes(last)) return last === 'privatekey' || last === 'signingkey' ? 'generic.private-key' : 'generic.api-key';
  if (last === 'credentials' || last === 'credential' || last === 'creds') return 'generic.credentials';
  if (last === 'auth' && w.length <= 2) return 'generic.credentials';
  return undefined;
}

/** Whether a value assigned to a credential-named key looks like a real secret. */
export function looksLikeSecret(value: string, kind: string, quoted: boolean, path: string): boolean {
  if (value.length < 6 || value.length > 1000) return false;
  if (/\s/.test(value)) return false;
  if (!quoted && CODE_EXT.test(path)) return false; // an expression, not a literal
  if (!quoted && /^[!&*|>]/.test(value)) return false; // YAML tags, anchors, block scalars
  if (!quoted && /[()<>{}[\]]/.test(value)) return false; // type annotations, calls, generics
  if (/^[A-Za-z_$][\w$.]*\(.*\)$/.test(value)) return false; // a call written in docs: url('./x')
  if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value)) return false; // settings.SECRET
  const lower = value.toLowerCase();
  if (STOP_VALUES.has(lower)) return false;
  if (/^-?\d+(?:\.\d+)?$/.test(value)) return false;
  if (isPlaceholder(value) || isReference(value)) return false;
  if (/^(?:\.{0,2}\/|~\/|[A-Za-z]:\\)/.test(value) || /\.(?:pem|key|crt|cer|p12|pfx|json|txt|ya?ml|env|jks)$/i.test(value)) return false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return false;
  // CONSTANT_CASE names (STRING_VALUE in SDK docs, DB_PASSWORD=DB_PASSWORD) are names, not values.
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(value)) return false;
  // A lower-case name that itself says what it is (x-amz-security-token, api_key_header).
  if (/^[a-z0-9._-]+$/.test(value) && /pass|secret|token|key|auth|cred/.test(value)) return false;
  // Words in camel case (InterpolationInTemplate) name things; random tokens are not made of words.
  if (kind !== 'generic.password' && /^[?]?[A-Z]?[a-z]+(?:[A-Z][a-z]+)*$/.test(value)) return false;
  const classes = charClasses(value);
  const entropy = shannonEntropy(value);
  if (kind === 'generic.password') return classes >= 2 || (value.length >= 12 && entropy >= 3);
  if (classes >= 2 && entropy >= 2.5) return true;
  return value.length >= 16 && entropy >= 3.5;
}

// After the identifier: an optional closing quote/bracket, an assignment operator (never a
// comparison), then a quoted or bare value.
// A TypeScript annotation (`dbPassword: string = "…"`) counts only when a quoted value follows.
export const ASSIGNMENT =
  /(?:["'`]\]?|\])?[ \t]*(?:=>|:=|\?=|(?<![=!<>])=(?!=)|:[ \t]*[A-Za-z_$][\w$.]*(?:<[^>\r\n]{0,40}>)?(?:\[\])?[ \t]*=(?![=>])(?=[ \t]*["'`])|:(?!:))[ \t]*(?:(?<q>["'`])(?<secret>(?:\\.|(?!\k<q>)[^\\\r\n]){1,1000})\k<q>|(?<bare>[^\s"'`,;#&|)}\]]{1,1000}))/y;
const XML_ELEMENT = />(?<secret>[^<>\s]{1,1000})<\//dy;

// Identifier characters, as a char-code table: this loop runs at every credential word.
const IDENT = new Uint8Array(128);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.$@-') IDENT[ch.charCodeAt(0)] = 1;
const isIdent = (code: number) => code < 128 && IDENT[code] === 1;

// What may follow an identifier in an assignment: a quote or bracket closing the key, blanks,
// `=`, `:`, `?` (?=), or `>` (an XML element). Anything else (`.length`, `(`, `,`) is a use, not a definition.
const AFTER_KEY = new Uint8Array(128);
for (const ch of `"'\`] \t=:?>`) AFTER_KEY[ch.charCodeAt(0)] = 1;

const LEAD_TRIM = new Uint8Array(128);
for (const ch of '-.$@') LEAD_TRIM[ch.charCodeAt(0)] = 1;

const isQuote = (c: number) => c === 34 || c === 39 || c === 96;
const isBlank = (c: number) => c === 32 || c === 9;
const isNameStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
const isNameChar = (c: number) => isNameStart(c) || (c >= 48 && c <= 57) || c === 46;

/**
 * Whether ASSIGNMENT can match at `end`, judged without running it: an assignment operator must
 * follow (or an XML element may). In code only a quoted value can be a hard-coded secret (a bare
 * value is an expression), so with `quotedOnly` a quote must follow the operator too (or a
 * TypeScript annotation may lead to one); without it, something must be on the line to read. False
 * exactly where ASSIGNMENT would find nothing the caller keeps; most credential names
 * (`token = getToken()`, `password: user.password`, a YAML key over a nested map, prose in docs)
 * stop here.
 */
export function mayHaveValue(text: string, end: number, quotedOnly: boolean): boolean {
  let i = end;
  let c = text.charCodeAt(i);
  if (c === 62 /* > */) return true; // <password>…</password>
  if (isQuote(c)) {
    c = text.charCodeAt(++i);
    if (c === 93 /* ] */) c = text.charCodeAt(++i);
  } else if (c === 93) c = text.charCodeAt(++i);
  while (isBlank(c)) c = text.charCodeAt(++i);
  const next = text.charCodeAt(i + 1);
  // After `=>` and `:=` the regex may fall back to `=` or `:` with a value starting `>` or `=`.
  let fallback = false;
  if (c === 61 /* = */) {
    if (next === 61) return false; // a comparison
    fallback = next === 62;
    i += fallback ? 2 : 1;
  } else if (c === 58 /* : */) {
    if (next === 58) return false;
    if (next === 61) {
      fallback = true;
      i += 2;
    } else {
      if (!quotedOnly) return mayStartValue(text, i + 1);
      c = text.charCodeAt(++i);
      while (isBlank(c)) c = text.charCodeAt(++i);
      if (isNameStart(c)) {
        // `name: Type = "…"` (a TypeScript annotation) is the only way on from here.
        while (isNameChar(c)) c = text.charCodeAt(++i);
        if (c === 60 /* < */ || c === 91 /* [ */) return true;
        while (isBlank(c)) c = text.charCodeAt(++i);
        return c === 61;
      }
    }
  } else if (c === 63 /* ? */ && next === 61) i += 2;
  else return false;
  if (!quotedOnly) return fallback || mayStartValue(text, i);
  c = text.charCodeAt(i);
  while (isBlank(c)) c = text.charCodeAt(++i);
  return isQuote(c);
}

// What ends a bare value before it starts: nothing on the line (`key:` over a nested YAML map), or
// punctuation. ASSIGNMENT's value needs a quote or one character outside these.
const NO_BARE_START = new Uint8Array(128);
for (const ch of ',;#&|)}]\r\n') NO_BARE_START[ch.charCodeAt(0)] = 1;

/** After an operator at `i`: blanks, then a quote or a bare value's first character. */
function mayStartValue(text: string, i: number): boolean {
  let c = text.charCodeAt(i);
  while (isBlank(c)) c = text.charCodeAt(++i);
  return i < text.length && !(c < 128 && NO_BARE_START[c] === 1);
}

// Identifiers repeat a lot within and across files; their kind is a pure function of the name.
const kindCache = new Map<string, string | null>();
function cachedCredentialKind(identifier: string): string | undefined {
  let kind = kindCache.get(identifier);
  if (kind === undefined) {
    kind = credentialKind(identifier) ?? null;
    if (kindCache.size > 50_000) kindCache.clear();
    kindCache.set(identifier, kind);
  }
  return kind ?? undefined;
}

export interface GenericHit {
  ruleId: string;
  start: number;
  end: number;
  secret: string;
}

/**
 * Finds credential assignments around keyword end offsets (from the prefilter).
 * `hits` are offsets into `text` just after a generic keyword.
 */
export function detectGeneric(text: string, hits: number[], path: string): GenericHit[] {
  const out: GenericHit[] = [];
  const code = CODE_EXT.test(path);
  // Hits arrive in text order, so several keywords in one identifier share its end: one look each.
  let lastEnd = -1;
  for (const hit of hits) {
    if (hit < lastEnd) continue;
    // Expand to the whole identifier around the keyword.
    let end = hit;
    while (end < text.length && end - hit < 100 && isIdent(text.charCodeAt(end))) end++;
    if (end === lastEnd) continue;
    lastEnd = end;
    const after = text.charCodeAt(end);
    if (!(after < 128 && AFTER_KEY[after] === 1)) continue;
    if (!mayHaveValue(text, end, code)) continue;
    let start = hit - 1;
    while (start > 0 && hit - start < 100 && isIdent(text.charCodeAt(start - 1))) start--;
    // The name without leading `-.$@` and trailing `-.` (`$password`, `--token`, `db.password.`).
    let from = start;
    while (from < end && LEAD_TRIM[text.charCodeAt(from)] === 1) from++;
    let to = end;
    while (to > from && (text.charCodeAt(to - 1) === 45 || text.charCodeAt(to - 1) === 46)) to--;
    const identifier = text.slice(from, to);
    const kind = cachedCredentialKind(identifier);
    if (!kind) continue;
    ASSIGNMENT.lastIndex = end;
    let m = ASSIGNMENT.exec(text);
    let quoted = true;
    let span: [number, number] | undefined;
    if (m?.groups) {
      // The value ends the match (before its closing quote): its span without the `d` flag's
      // index arrays, which cost more than the match itself.
      const { secret, bare } = m.groups;
      quoted = secret !== undefined;
      const valueEnd = m.index + m[0].length - (quoted ? 1 : 0);
      span = [valueEnd - (secret ?? bare).length, valueEnd];
    } else {
      XML_ELEMENT.lastIndex = end;
      m = XML_ELEMENT.exec(text);
      span = m?.indices?.groups?.secret;
    }
    if (!span) continue;
    let value = text.slice(span[0], span[1]);
    if (!quoted) value = value.replace(/[.:]+$/, '');
    const valueEnd = span[0] + value.length;
    if (!looksLikeSecret(value, kind, quoted, path)) continue;
    out.push({ ruleId: kind, start: span[0], end: valueEnd, secret: value });
  }
  return out;
}
