// Deterministic benchmark corpus: realistic source and config text with sparse fake secrets
// planted at recorded places. Same seed + version + size → byte-identical tree, so figures are
// comparable across runs and machines. The manifest lets a later run reuse the tree.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Bump when the generator's output changes; a cached tree of another version is rebuilt. */
export const CORPUS_VERSION = 2;
const MiB = 1024 * 1024;
export const FULL_BYTES = 210 * MiB;
export const QUICK_BYTES = 20 * MiB;
/** Chance that an ordinary file carries one planted secret. */
const PLANT_RATE = 0.06;

// ---------------------------------------------------------------------------------------------
// Seeded PRNG (mulberry32) and helpers.

export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  const pick = (list) => list[int(list.length)];
  const chars = (alphabet, n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[int(alphabet.length)];
    return s;
  };
  return { next, int, pick, chars, chance: (p) => next() < p };
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const HEX = '0123456789abcdef';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const BASE62 = DIGITS + UPPER + LOWER;
const BASE64 = UPPER + LOWER + DIGITS + '+/';

// ---------------------------------------------------------------------------------------------
// Fake credentials, built at run time. The GitHub checksum is reimplemented here on purpose:
// the bench must not trust src/ to tell it what a valid token is.

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(text) {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export function base62(value, width) {
  let out = '';
  for (let n = value; n > 0; n = Math.floor(n / 62)) out = BASE62[n % 62] + out;
  return out.padStart(width, '0');
}

const SEASONS = ['Summer', 'Winter', 'Spring', 'Autumn', 'Monday', 'Welcome', 'Dragon', 'Sunshine', 'Falcon', 'Baseball'];

/** Each kind: a value generator and the names a developer would give the variable. */
const SECRET_KINDS = {
  'aws-access-key-id': {
    value: (r) => 'AKIA' + r.chars(BASE32, 16),
    snake: 'aws_access_key_id',
    camel: 'awsAccessKeyId',
  },
  'github-classic': {
    value: (r) => {
      const body = r.chars(BASE62, 30);
      return `ghp_${body}${base62(crc32(body), 6)}`;
    },
    snake: 'github_token',
    camel: 'githubToken',
  },
  'stripe-live': {
    value: (r) => 'sk_live_' + r.chars(BASE62, 24 + r.int(76)),
    snake: 'stripe_secret_key',
    camel: 'stripeSecretKey',
  },
  'generic-password': {
    value: (r) => `${r.pick(SEASONS)}${1990 + r.int(35)}${r.pick(['!', '#', '$', '@', '?', '%'])}`,
    snake: 'db_password',
    camel: 'dbPassword',
  },
  'postgres-uri': {
    value: (r) => `postgres://${r.pick(['app', 'svc', 'admin', 'reporting'])}:${r.chars(BASE62, 14 + r.int(10))}@db-${r.int(90) + 10}.internal.corp:5432/${r.pick(['orders', 'billing', 'users'])}`,
    snake: 'database_url',
    camel: 'databaseUrl',
  },
  'pem-private-key': { value: null, snake: 'private_key', camel: 'privateKey' },
  // JS/TS only: a human-chosen password passed to a local helper that hands it to a database
  // client. No credential name sits next to the literal, so only the AST stage finds it.
  'ast-password': {
    value: (r) => `${r.pick(SEASONS)}${1990 + r.int(35)}${r.pick(['!', '#', '$', '@', '?', '%'])}`,
    snake: null,
    camel: null,
  },
};
export const KINDS = Object.keys(SECRET_KINDS);

function pemBlock(r) {
  const label = r.pick(['RSA PRIVATE KEY', 'PRIVATE KEY', 'EC PRIVATE KEY', 'OPENSSH PRIVATE KEY']);
  const lines = [`-----BEGIN ${label}-----`];
  const n = 8 + r.int(18);
  for (let i = 0; i < n; i++) lines.push(r.chars(BASE64, 64));
  lines.push(r.chars(BASE64, 4 + 4 * r.int(15)) + '==');
  lines.push(`-----END ${label}-----`);
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Vocabulary. Credential words appear often in harmless roles: names, comments, lengths, refs.

const NOUNS = ['user', 'order', 'invoice', 'account', 'session', 'payment', 'customer', 'product', 'cart', 'report', 'event', 'message', 'queue', 'cache', 'config', 'request', 'response', 'handler', 'client', 'server', 'record', 'profile', 'address', 'shipment', 'ledger', 'tenant', 'policy', 'metric', 'job', 'task', 'batch', 'upload', 'document', 'widget', 'channel', 'webhook', 'subscription', 'plan', 'coupon', 'region'];
const VERBS = ['get', 'set', 'load', 'save', 'update', 'delete', 'create', 'fetch', 'parse', 'build', 'render', 'validate', 'compute', 'resolve', 'handle', 'process', 'sync', 'refresh', 'apply', 'merge', 'encode', 'decode', 'normalize', 'format', 'schedule', 'publish', 'notify', 'retry'];
const ADJS = ['active', 'pending', 'default', 'current', 'next', 'last', 'primary', 'remote', 'local', 'cached', 'raw', 'total', 'max', 'min', 'new', 'old', 'shared', 'internal', 'public', 'safe'];
const CRED_WORDS = ['token', 'password', 'secret', 'apiKey', 'accessKey', 'auth', 'credentials', 'privateKey', 'sessionToken', 'refreshToken'];
const COMMENTS = [
  'TODO: remove once the migration has finished',
  'keep in sync with the schema in docs/',
  'the token is refreshed five minutes before it expires',
  'never log the password; only its length is checked here',
  'rotate the api key through the secrets manager, not here',
  'retry with exponential backoff, capped at 30s',
  'secret values come from the environment at deploy time',
  'see RFC 6749 section 4.1 for the authorization code flow',
  'this mirrors the behaviour of the legacy service',
  'the access key id is public; the secret key is not',
  'FIXME: the cache key should include the tenant',
  'password reset links expire after one hour',
];

function ident(r, parts = 2, style = 'camel') {
  const words = [r.pick(VERBS), r.pick(ADJS), r.pick(NOUNS)].slice(3 - parts);
  if (style === 'snake') return words.join('_');
  if (style === 'pascal') return words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  return words[0] + words.slice(1).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}
const uuid = (r) => `${r.chars(HEX, 8)}-${r.chars(HEX, 4)}-4${r.chars(HEX, 3)}-${r.pick(['8', '9', 'a', 'b'])}${r.chars(HEX, 3)}-${r.chars(HEX, 12)}`;
const sha = (r) => r.chars(HEX, 40);
const b64blob = (r, bytes) => {
  const buf = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) buf[i] = r.int(256);
  return buf.toString('base64');
};
const snakeUpper = (s) => s.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
const cap = (s) => s[0].toUpperCase() + s.slice(1);

// ---------------------------------------------------------------------------------------------
// Per-language block generators: each returns a few lines of ordinary code or config.

const blocks = {
  js(r) {
    const fn = ident(r, 2);
    const cred = r.pick(CRED_WORDS);
    const n = r.pick(NOUNS);
    return r.pick([
      () => [`// ${r.pick(COMMENTS)}`, `export async function ${fn}(${n}, options = {}) {`, `  const ${cred} = options.${cred} ?? process.env.${snakeUpper(cred)};`, `  if (!${cred}) throw new Error('${cred} is required for ${fn}');`, `  const res = await fetch(\`/api/${n}s/\${${n}.id}\`, { headers: { Authorization: \`Bearer \${${cred}}\` } });`, `  return res.json();`, `}`, ``],
      () => [`const ${n}Schema = {`, `  id: '${uuid(r)}',`, `  ${cred}MinLength: ${8 + r.int(24)},`, `  ${cred}Expiry: ${r.int(86400)},`, `  revision: '${sha(r)}',`, `};`, ``],
      () => [`export function validate${cap(cred)}(${cred}) {`, `  // ${r.pick(COMMENTS)}`, `  return typeof ${cred} === 'string' && ${cred}.length >= ${8 + r.int(8)};`, `}`, ``],
      () => [`import { ${ident(r, 2)}, ${ident(r, 2)} } from './${n}/${ident(r, 2, 'snake')}.js';`, `const ${ident(r, 3)} = new Map();`, `for (const item of ${n}List) ${ident(r, 3)}.set(item.${r.pick(NOUNS)}Id, item);`, ``],
      () => [`describe('${fn}', () => {`, `  it('rejects an empty ${cred}', async () => {`, `    await expect(${fn}({ ${cred}: '' })).rejects.toThrow('${cred} is required');`, `  });`, `});`, ``],
    ])();
  },
  ts(r) {
    // Half of a TypeScript file is the same code as JavaScript; the rest is types and classes.
    if (r.chance(0.5)) return blocks.js(r);
    const T = ident(r, 2, 'pascal');
    const cred = r.pick(CRED_WORDS);
    return r.pick([
      () => [`export interface ${T} {`, `  id: string;`, `  ${cred}: string | undefined;`, `  ${cred}UpdatedAt: Date;`, `  ${r.pick(NOUNS)}Count: number;`, `}`, ``],
      () => [`export class ${T}Service {`, `  constructor(private readonly ${cred}Provider: () => Promise<string>) {}`, ``, `  async ${ident(r, 2)}(id: string): Promise<${T}> {`, `    const ${cred} = await this.${cred}Provider(); // ${r.pick(COMMENTS)}`, `    return this.http.get<${T}>(\`/v2/${r.pick(NOUNS)}/\${id}\`, { ${cred} });`, `  }`, `}`, ``],
      () => [`type ${T}Options = Partial<Record<'${cred}' | 'region' | 'endpoint', string>>;`, `const DEFAULT_${snakeUpper(T)}_TIMEOUT_MS = ${r.int(60000)};`, ``],
    ])();
  },
  py(r) {
    const fn = ident(r, 2, 'snake');
    const cred = r.pick(['token', 'password', 'secret_key', 'api_key', 'auth_token', 'refresh_token']);
    const C = ident(r, 2, 'pascal');
    return r.pick([
      () => [`def ${fn}(self, ${r.pick(NOUNS)}_id: str, ${cred}: str | None = None) -> dict:`, `    """${cap(r.pick(COMMENTS))}."""`, `    ${cred} = ${cred} or os.environ.get("${cred.toUpperCase()}")`, `    if not ${cred}:`, `        raise ValueError("missing ${cred}")`, `    return self.session.get(f"{self.base_url}/${r.pick(NOUNS)}s/{${r.pick(NOUNS)}_id}").json()`, ``],
      () => [`${cred}_min_length = ${8 + r.int(16)}`, `${cred}_ttl_seconds = ${r.int(86400)}`, `${r.pick(NOUNS)}_ids = ["${uuid(r)}", "${uuid(r)}"]`, ``],
      () => [`class ${C}(models.Model):`, `    ${r.pick(NOUNS)} = models.ForeignKey("${r.pick(NOUNS)}", on_delete=models.CASCADE)`, `    ${cred}_hash = models.CharField(max_length=128)  # ${r.pick(COMMENTS)}`, `    created_at = models.DateTimeField(auto_now_add=True)`, ``],
      () => [`    # ${r.pick(COMMENTS)}`, `    for ${r.pick(NOUNS)} in ${fn}(batch_size=${r.int(1000)}):`, `        logger.info("processed %s (rev ${sha(r).slice(0, 12)})", ${r.pick(NOUNS)})`, ``],
    ])();
  },
  go(r) {
    const F = ident(r, 2, 'pascal');
    const T = ident(r, 1, 'pascal');
    return r.pick([
      () => [`// ${F} ${r.pick(COMMENTS)}.`, `func (c *Client) ${F}(ctx context.Context, id string) (*${T}, error) {`, `\ttoken, err := c.tokenSource.Token()`, `\tif err != nil {`, `\t\treturn nil, fmt.Errorf("${F.toLowerCase()}: refresh token: %w", err)`, `\t}`, `\treq.Header.Set("Authorization", "Bearer "+token.AccessToken)`, `\treturn c.do(ctx, req)`, `}`, ``],
      () => [`type ${T}Config struct {`, `\tPassword    string \`json:"password" env:"${T.toUpperCase()}_PASSWORD"\``, `\tAPIKey      string \`json:"api_key"\``, `\tMaxRetries  int    \`json:"max_retries"\``, `}`, ``],
      () => [`const ${T.toLowerCase()}RequestID = "${uuid(r)}"`, `var ${ident(r, 2)} = []string{"${sha(r)}", "${sha(r)}"}`, ``],
    ])();
  },
  java(r) {
    const C = ident(r, 2, 'pascal');
    const m = ident(r, 2);
    return r.pick([
      () => [`    /** ${cap(r.pick(COMMENTS))}. */`, `    public ${C} ${m}(String ${r.pick(NOUNS)}Id, String token) throws IOException {`, `        if (token == null || token.isEmpty()) {`, `            throw new IllegalArgumentException("token must not be empty");`, `        }`, `        return repository.findById(${r.pick(NOUNS)}Id).orElseThrow();`, `    }`, ``],
      () => [`    private static final int PASSWORD_MIN_LENGTH = ${8 + r.int(10)};`, `    private static final String SECRET_HEADER = "X-${C}-Signature";`, `    private final PasswordEncoder passwordEncoder;`, ``],
      () => [`    @Value("\${${r.pick(NOUNS)}.api.key}")`, `    private String apiKey;`, `    private final UUID ${m}Id = UUID.fromString("${uuid(r)}");`, ``],
    ])();
  },
  yaml(r) {
    const svc = r.pick(NOUNS);
    return r.pick([
      () => [`  - name: ${svc}-${r.pick(['api', 'worker', 'cron'])}`, `    image: registry.internal/${svc}:${sha(r).slice(0, 7)}`, `    env:`, `      - name: DB_PASSWORD`, `        valueFrom:`, `          secretKeyRef:`, `            name: ${svc}-db`, `            key: password`, `      - name: TOKEN_TTL`, `        value: "${r.int(3600)}"`],
      () => [`${svc}:`, `  password_policy:`, `    min_length: ${8 + r.int(8)}`, `    require_symbols: ${r.pick(['true', 'false'])}`, `  auth:`, `    provider: oidc`, `    issuer: https://login.${svc}.internal`, `  request_id: ${uuid(r)}`],
      () => [`# ${r.pick(COMMENTS)}`, `${ident(r, 2, 'snake')}: ${r.int(1000)}`, `${ident(r, 2, 'snake')}_enabled: ${r.pick(['true', 'false'])}`],
    ])();
  },
  env(r) {
    const S = ident(r, 2, 'snake').toUpperCase();
    return r.pick([
      () => [`# ${r.pick(COMMENTS)}`, `${S}_URL=https://${r.pick(NOUNS)}.internal:${8000 + r.int(999)}`, `${S}_TIMEOUT=${r.int(120)}`],
      () => [`DB_PASSWORD=\${DB_PASSWORD}`, `API_KEY=`, `SECRET_KEY=changeme`, `TOKEN_TTL=${r.int(7200)}`, `PASSWORD_MIN_LENGTH=${8 + r.int(8)}`],
      () => [`${S}_ID=${uuid(r)}`, `${S}_ENABLED=${r.pick(['true', 'false'])}`],
    ])();
  },
  tf(r) {
    const n = ident(r, 2, 'snake');
    return r.pick([
      () => [`resource "aws_db_instance" "${n}" {`, `  engine               = "postgres"`, `  instance_class       = "db.t3.${r.pick(['micro', 'small', 'medium'])}"`, `  username             = "app"`, `  password             = var.db_password`, `  kms_key_id           = aws_kms_key.${n}.arn`, `  allocated_storage    = ${20 + r.int(200)}`, `}`, ``],
      () => [`resource "aws_iam_account_password_policy" "${n}" {`, `  minimum_password_length = ${12 + r.int(8)}`, `  require_symbols         = true`, `}`, ``],
      () => [`variable "${n}_token" {`, `  type      = string`, `  sensitive = true`, `  description = "${cap(r.pick(COMMENTS))}"`, `}`, ``],
    ])();
  },
  md(r) {
    return r.pick([
      () => [`## ${cap(ident(r, 2, 'snake').replace(/_/g, ' '))}`, ``, `${cap(r.pick(COMMENTS))}. Set the \`${snakeUpper(r.pick(CRED_WORDS))}\` environment variable before you run \`npm start\`; the password must be at least 12 characters.`, ``],
      () => ['```bash', `export API_TOKEN="<your token>"`, `curl -H "Authorization: Bearer $API_TOKEN" https://api.${r.pick(NOUNS)}.dev/v1/${r.pick(NOUNS)}s`, '```', ``],
      () => [`- Fixed ${r.pick(NOUNS)} ${r.pick(VERBS)} (commit ${sha(r).slice(0, 7)}, see #${r.int(5000)})`],
    ])();
  },
  json(r) {
    const name = `${r.pick(['@acme/', '', ''])}${r.pick(NOUNS)}-${r.pick(VERBS)}`;
    const v = `${r.int(9)}.${r.int(30)}.${r.int(20)}`;
    return [`    "node_modules/${name}": {`, `      "version": "${v}",`, `      "resolved": "https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${v}.tgz",`, `      "integrity": "sha512-${b64blob(r, 64)}",`, `      "license": "MIT"`, `    },`];
  },
  min(r) {
    // One long minified-ish line per block.
    let s = '';
    const n = 20 + r.int(200);
    for (let i = 0; i < n; i++) {
      const a = r.chars(LOWER, 1), b = r.chars(LOWER, 1);
      s += r.pick([
        `function ${a}${b}(${a},${b}){return ${a}.${r.pick(NOUNS)}+${b}.length}`,
        `var ${a}=${b}.${r.pick(VERBS)}(${r.int(100)});`,
        `${a}.token=${b}.getToken();`,
        `"${r.pick(NOUNS)}":"${r.chars(BASE62, 6 + r.int(10))}",`,
        `if(!${a}.password)throw new Error("password required");`,
        `${a}[${r.int(50)}]="${b64blob(r, 12)}";`,
      ]);
    }
    return [s];
  },
};

const EXT = { js: 'js', ts: 'ts', py: 'py', go: 'go', java: 'java', yaml: 'yaml', env: 'env', tf: 'tf', md: 'md', json: 'json', min: 'min.js' };
// Some modules set up clients the AST stage knows (pg, jsonwebtoken, stripe) from the environment,
// as real services do: worth parsing, nothing to find.
const CLIENT_SETUPS = [
  (ts) => [`import { Pool } from 'pg';`, `export const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });`, ''],
  (ts) => [`import jwt from 'jsonwebtoken';`, `export const signToken = (claims${ts ? ': object' : ''}) => jwt.sign(claims, process.env.JWT_SECRET, { expiresIn: '1h' });`, ''],
  (ts) => [`import Stripe from 'stripe';`, `export const stripe = new Stripe(process.env.STRIPE_SECRET_KEY);`, ''],
];
const HEADERS = {
  js: (r) => (r.chance(0.05) ? r.pick(CLIENT_SETUPS)(false) : []),
  ts: (r) => (r.chance(0.05) ? r.pick(CLIENT_SETUPS)(true) : []),
  py: (r) => ['import os', 'import logging', `from django.db import models`, '', 'logger = logging.getLogger(__name__)', ''],
  go: (r) => [`package ${r.pick(NOUNS)}`, '', 'import (', '\t"context"', '\t"fmt"', ')', ''],
  java: (r) => [`package com.acme.${r.pick(NOUNS)};`, '', 'import java.util.UUID;', '', `public class ${ident(r, 2, 'pascal')} {`],
  json: () => ['{', '  "name": "app",', '  "lockfileVersion": 3,', '  "packages": {'],
  yaml: (r) => ['apiVersion: apps/v1', 'kind: Deployment', `metadata:`, `  name: ${r.pick(NOUNS)}`, 'containers:'],
};
const FOOTERS = { java: ['}'], json: ['    "": {}', '  }', '}'] };

/** The line(s) holding a planted secret and where the secret starts in its first line. */
function secretLines(r, lang, kind) {
  const k = SECRET_KINDS[kind];
  if (kind === 'pem-private-key') {
    const pem = pemBlock(r);
    if (lang === 'yaml') return { lines: [`${k.snake}: |`, ...pem.map((l) => `  ${l}`)], line: 1, column: 3, endLine: pem.length, endColumn: pem.at(-1).length + 3 };
    if (lang === 'py') return { lines: [`PRIVATE_KEY = """${pem[0]}`, ...pem.slice(1), `"""`], line: 0, column: 18, endLine: pem.length - 1, endColumn: pem.at(-1).length + 1 };
    const prefix = lang === 'go' ? 'const privateKey = `' : lang === 'js' || lang === 'ts' || lang === 'min' ? 'const privateKey = `' : '';
    const open = prefix ? [prefix + pem[0], ...pem.slice(1), '`'] : pem;
    return { lines: open, line: 0, column: prefix.length + 1, endLine: pem.length - 1, endColumn: pem.at(-1).length + 1 };
  }
  const value = k.value(r);
  if (kind === 'ast-password') {
    const helper = `open${ident(r, 2, 'pascal')}`;
    const param = lang === 'ts' ? 'pw: string' : 'pw';
    const call = `export const ${ident(r, 2, 'camel')}Pool = ${helper}('`;
    return {
      lines: [`import { Pool } from 'pg';`, `function ${helper}(${param}) {`, `  return new Pool({ host: 'db.internal', port: 5432, password: pw });`, '}', `${call}${value}');`],
      line: 4,
      column: call.length + 1,
      endLine: 4,
      endColumn: call.length + value.length + 1,
    };
  }
  const S = k.snake.toUpperCase();
  const [prefix, suffix] = {
    js: [`const ${k.camel} = '`, `';`],
    ts: [`export const ${k.camel}: string = "`, `";`],
    py: [`${k.snake} = "`, `"`],
    go: [`\t${k.camel} := "`, `"`],
    java: [`    private static final String ${S} = "`, `";`],
    yaml: [`  ${k.snake}: "`, `"`],
    env: [`${S}=`, ``],
    tf: [`  ${k.snake} = "`, `"`],
    md: [`    ${S}=`, ``],
    json: [`    "${k.camel}": "`, `",`],
    min: [`var q=1;${k.camel}="`, `";function z(a){return a}`],
  }[lang];
  return { lines: [prefix + value + suffix], line: 0, column: prefix.length + 1, endLine: 0, endColumn: prefix.length + value.length + 1 };
}

/** Builds one file's text; `plant` is a secret kind or undefined. */
function fileText(r, lang, target, plant) {
  const lines = HEADERS[lang] ? HEADERS[lang](r) : [];
  let size = 0;
  const plantAt = plant ? r.int(target) : -1;
  let planted;
  while (size < target) {
    if (plant && !planted && size >= plantAt) {
      const s = secretLines(r, lang, plant);
      planted = { kind: plant, line: lines.length + s.line + 1, column: s.column, endLine: lines.length + s.endLine + 1, endColumn: s.endColumn };
      for (const l of s.lines) {
        lines.push(l);
        size += l.length + 1;
      }
      continue;
    }
    for (const l of blocks[lang](r)) {
      lines.push(l);
      size += l.length + 1;
    }
  }
  for (const l of FOOTERS[lang] ?? []) lines.push(l);
  return { text: lines.join('\n') + '\n', planted };
}

const LANG_WEIGHTS = [['js', 14], ['ts', 16], ['py', 14], ['go', 10], ['java', 10], ['yaml', 10], ['json', 6], ['env', 3], ['tf', 6], ['md', 8], ['min', 3]];
const LANG_TOTAL = LANG_WEIGHTS.reduce((a, [, w]) => a + w, 0);
function pickLang(r) {
  let x = r.int(LANG_TOTAL);
  for (const [lang, w] of LANG_WEIGHTS) if ((x -= w) < 0) return lang;
  return 'js';
}

function filePath(r, lang, i) {
  const svc = `${r.pick(NOUNS)}-${r.pick(['api', 'service', 'worker', 'gateway', 'web'])}`;
  const name = `${ident(r, 2, lang === 'py' || lang === 'tf' || lang === 'yaml' ? 'snake' : 'camel')}_${i}`;
  switch (lang) {
    case 'yaml': return `deploy/k8s/${svc}/${name}.yaml`;
    case 'tf': return `infra/terraform/${r.pick(['prod', 'staging', 'dev'])}/${r.pick(NOUNS)}/${name}.tf`;
    case 'md': return `docs/${r.pick(NOUNS)}/${name}.md`;
    case 'env': return `services/${svc}/config/${name}.env`;
    case 'json': return `services/${svc}/fixtures/${name}.json`;
    case 'min': return `services/${svc}/public/assets/${name}.min.js`;
    default: return `services/${svc}/src/${r.pick(NOUNS)}/${r.pick(NOUNS)}/${name}.${EXT[lang]}`;
  }
}

/** Generates the tree under `dir/tree` and returns the manifest (planted secrets included). */
function generate(dir, totalBytes, log) {
  const r = prng(0x1eaf + totalBytes);
  const tree = join(dir, 'tree');
  rmSync(tree, { recursive: true, force: true });
  const planted = [];
  let bytes = 0;
  let files = 0;
  const write = (rel, text) => {
    const abs = join(tree, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    bytes += Buffer.byteLength(text);
    files++;
  };
  // A few big files first: a lockfile, a bundle, a changelog (all under the 10 MB default limit).
  const scale = totalBytes / FULL_BYTES;
  for (const [rel, lang, size] of [['package-lock.json', 'json', 6 * MiB], ['web/dist/vendor.bundle.min.js', 'min', 4 * MiB], ['CHANGELOG.md', 'md', 2 * MiB], ['services/legacy/src/monolith.py', 'py', 3 * MiB]]) {
    const { text, planted: p } = fileText(r, lang, Math.round(size * scale), rel.endsWith('.py') ? 'generic-password' : undefined);
    write(rel, text);
    if (p) planted.push({ path: rel, ...p });
  }
  for (let i = 0; bytes < totalBytes; i++) {
    // Standalone key files: how private keys usually end up in repositories.
    if (r.chance(0.002)) {
      const rel = `services/${r.pick(NOUNS)}-service/certs/${r.pick(NOUNS)}_${i}.key`;
      const pem = pemBlock(r);
      write(rel, pem.join('\n') + '\n');
      planted.push({ path: rel, kind: 'pem-private-key', line: 1, column: 1, endLine: pem.length, endColumn: pem.at(-1).length + 1 });
      continue;
    }
    const lang = pickLang(r);
    const target = Math.round(5 * 1024 * Math.exp(r.next() * Math.log(20))); // 5–100 KB, log-uniform
    const kinds = KINDS.filter((k) => (k !== 'pem-private-key' || (lang !== 'json' && lang !== 'md')) && (k !== 'ast-password' || lang === 'js' || lang === 'ts'));
    const plant = r.chance(PLANT_RATE) ? r.pick(kinds) : undefined;
    const rel = filePath(r, lang, i);
    const { text, planted: p } = fileText(r, lang, target, plant);
    write(rel, text);
    if (p) planted.push({ path: rel, ...p });
    if (log && files % 2000 === 0) log(`  corpus: ${files} files, ${(bytes / MiB).toFixed(0)} MiB`);
  }
  return { version: CORPUS_VERSION, totalBytes, files, bytes, planted };
}

/**
 * Returns the corpus under `dir` (`dir/tree` + `dir/manifest.json`), generating it only when
 * the manifest is missing or names another generator version or size.
 */
export function ensureCorpus(dir, { quick = false, log } = {}) {
  const totalBytes = quick ? QUICK_BYTES : FULL_BYTES;
  const manifestFile = join(dir, 'manifest.json');
  if (existsSync(manifestFile) && existsSync(join(dir, 'tree'))) {
    try {
      const m = JSON.parse(readFileSync(manifestFile, 'utf8'));
      if (m.version === CORPUS_VERSION && m.totalBytes === totalBytes) return { ...m, root: join(dir, 'tree'), cached: true };
    } catch {
      /* unreadable manifest: regenerate */
    }
  }
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  const m = generate(dir, totalBytes, log);
  writeFileSync(manifestFile, JSON.stringify(m) + '\n');
  log?.(`  corpus: generated ${m.files} files, ${(m.bytes / MiB).toFixed(1)} MiB, ${m.planted.length} planted secrets in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { ...m, root: join(dir, 'tree'), cached: false };
}

// `node bench/corpus.js [--quick] [dir]` generates (or reuses) a corpus on its own.
if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  const dir = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? new URL(`./.corpus/${quick ? 'quick' : 'full'}`, import.meta.url).pathname;
  const m = ensureCorpus(dir, { quick, log: console.log });
  console.log(`${m.root}: ${m.files} files, ${(m.bytes / MiB).toFixed(1)} MiB, ${m.planted.length} planted${m.cached ? ' (cached)' : ''}`);
}
