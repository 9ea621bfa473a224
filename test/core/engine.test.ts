// Detection engine: exact spans (UTF-16 range, UTF-8 byteRange, 1-based lines and columns) for
// provider patterns, multi-line keys, encodings and the generic detector; the quiet cases; inline
// allow comments; fingerprints and redaction.
import { describe, expect, it } from 'vitest';
import { fakeAwsKeyId, fakeGithubToken, fakeString } from '../helpers/tokens.js';
import { builtinEngine, detect, span, fakeStripeKey } from './helpers.js';
import { fingerprint, redact } from '../../src/detect/redact.js';
import { ASSIGNMENT, mayHaveValue } from '../../src/detect/generic.js';

const gh = fakeGithubToken(7);

describe('exact spans', () => {
  it('a token in the middle of a line', () => {
    const text = `const x = 1;\nclient.auth("${gh}"); // call\n`;
    const [f, ...rest] = detect(text, 'src/app.js');
    expect(rest).toEqual([]);
    expect(span(f)).toEqual({ ruleId: 'github.pat-classic', range: [26, 66], byteRange: [26, 66], line: 2, column: 14, endLine: 2, endColumn: 54 });
    expect(f.secret).toBe(gh);
    expect(f.detector).toBe('pattern');
    expect(f.severity).toBe('critical');
    expect(f.lineText).toBe(`client.auth("${redact(gh)}"); // call`);
  });

  it('a multi-line PEM private key', () => {
    const body = Array.from({ length: 12 }, (_, i) => fakeString(100 + i, 64, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')).join('\n');
    const key = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
    const text = `# deploy key\nkey: |\n${key}\nafter: 1\n`;
    const [f, ...rest] = detect(text, 'deploy/key.txt');
    expect(rest).toEqual([]);
    const start = text.indexOf('-----BEGIN');
    expect(start).toBe(20);
    expect(span(f)).toEqual({
      ruleId: 'private-key.rsa',
      range: [20, 20 + key.length],
      byteRange: [20, 20 + key.length],
      line: 3,
      column: 1,
      endLine: 16,
      endColumn: 30, // after "-----END RSA PRIVATE KEY-----" (29 characters)
    });
    expect(f.secret).toBe(key);
    expect(f.redacted).toBe('-----BEGIN RSA PRIVATE KEY-----…');
    expect(f.lineText).toBe('-----BEGIN RSA PRIVATE KEY-----…');
  });

  it('after multi-byte UTF-8 characters: byteRange differs from range', () => {
    // é is 2 bytes / 1 unit, 日本 are 3 bytes / 1 unit each, 😀 is 4 bytes / 2 units.
    const text = `é日本😀 = ${gh}\n`;
    const [f] = detect(text);
    expect(span(f)).toEqual({ ruleId: 'github.pat-classic', range: [8, 48], byteRange: [15, 55], line: 1, column: 9, endLine: 1, endColumn: 49 });
    expect(Buffer.from(text).subarray(15, 55).toString()).toBe(gh);
  });

  it('the same file given as bytes gives the same spans', () => {
    const text = `é日本😀 = ${gh}\n`;
    expect(detect(Buffer.from(text)).map(span)).toEqual(detect(text).map(span));
  });

  it('CRLF line endings: columns do not count the \\r, lineText drops it', () => {
    const text = `first\r\nsecond\r\ntoken = ${gh}\r\nlast\r\n`;
    const [f] = detect(Buffer.from(text));
    expect(span(f)).toEqual({ ruleId: 'github.pat-classic', range: [23, 63], byteRange: [23, 63], line: 3, column: 9, endLine: 3, endColumn: 49 });
    expect(f.lineText).toBe(`token = ${redact(gh)}`);
  });

  it('a non-UTF-8 (Latin-1) file is read byte for byte', () => {
    // "café" and "Größe" in Latin-1: one byte per character, invalid as UTF-8.
    const bytes = Buffer.concat([Buffer.from('caf\xe9 Gr\xf6\xdfe\n', 'latin1'), Buffer.from(`key=${gh}\n`)]);
    const [f] = detect(bytes, 'legacy.conf');
    expect(span(f)).toEqual({ ruleId: 'github.pat-classic', range: [15, 55], byteRange: [15, 55], line: 2, column: 5, endLine: 2, endColumn: 45 });
    expect(f.secret).toBe(gh);
  });

  it('a base64-encoded secret: the finding points at the encoded span', () => {
    const encoded = Buffer.from(`token: ${gh}`).toString('base64');
    const text = `data = "${encoded}"\n`;
    const [f, ...rest] = detect(text, 'config.txt');
    expect(rest).toEqual([]);
    // "token: " is 7 bytes: the secret starts in the third base64 quantum (chars 8..) and ends
    // in the quantum holding byte 46 (chars ..64), all offset by the 8 characters of `data = "`.
    expect(span(f)).toEqual({ ruleId: 'github.pat-classic', range: [16, 72], byteRange: [16, 72], line: 1, column: 17, endLine: 1, endColumn: 73 });
    expect(f.encoding).toBe('base64');
    expect(f.secret).toBe(gh);
    expect(f.lineText).not.toContain(encoded);
  });

  it('a whole-value base64 secret covers the whole run', () => {
    const encoded = Buffer.from(gh).toString('base64');
    const [f] = detect(`X=${encoded}`);
    expect(span(f)).toEqual({ ruleId: 'github.pat-classic', range: [2, 2 + encoded.length], byteRange: [2, 2 + encoded.length], line: 1, column: 3, endLine: 1, endColumn: 3 + encoded.length });
    expect(f.encoding).toBe('base64');
  });

  it('a percent-encoded secret: the finding covers exactly its escapes', () => {
    const key = fakeStripeKey(3);
    const encoded = encodeURIComponent(`a/${key}&x`).replace(/_/g, '%5F');
    const text = `curl "https://api.test/v1?auth=${encoded}"`;
    const start = text.indexOf('sk%5Flive%5F');
    const end = start + key.length + 2 * 2; // each of the two "_" became "%5F"
    const [f, ...rest] = detect(text, 'run.sh');
    expect(rest).toEqual([]);
    expect(span(f)).toEqual({ ruleId: 'stripe.secret-key', range: [start, end], byteRange: [start, end], line: 1, column: start + 1, endLine: 1, endColumn: end + 1 });
    expect(text.slice(start, end)).toBe(key.replace(/_/g, '%5F'));
    expect(f.encoding).toBe('percent');
    expect(f.secret).toBe(key);
  });

  it('a plain match wins over the same secret found again by decoding its run', () => {
    const key = fakeStripeKey(4);
    const text = `url=https://x.test/?q=${key}%2F%2F`;
    const found = detect(text);
    expect(found.map((f) => [f.ruleId, f.range, f.encoding ?? null, f.secret])).toEqual([['stripe.secret-key', [22, 62], null, key]]);
  });

  const hasK8s = builtinEngine().rules.some((r) => r.id === 'kubernetes.secret-data');
  it.skipIf(!hasK8s)('a Kubernetes Secret data: value is decoded and reported at the encoded span', () => {
    const password = `Fake-${fakeString(11, 20)}`;
    const encoded = Buffer.from(password).toString('base64');
    const text = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  username: YWRtaW4=\n  password: ${encoded}\n`;
    const found = detect(text, 'k8s/secret.yaml').filter((f) => f.ruleId === 'kubernetes.secret-data');
    expect(found.length).toBe(1);
    const start = text.indexOf(encoded);
    expect(span(found[0])).toEqual({ ruleId: 'kubernetes.secret-data', range: [start, start + encoded.length], byteRange: [start, start + encoded.length], line: 8, column: 13, endLine: 8, endColumn: 13 + encoded.length });
    expect(found[0].secret).toBe(encoded);
  });
});

describe('spans in long non-ASCII texts (byte offsets mapped to string offsets)', () => {
  it('are exact with multi-byte characters anywhere, astral ones across 4 KiB block edges, and long ASCII stretches', () => {
    const next = (() => {
      let x = 7;
      return () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
    })();
    const wide = ['é', 'ß', '中', '€', '😀', '𝄞'];
    for (let round = 0; round < 6; round++) {
      let text = '';
      const planted: string[] = [];
      while (Buffer.byteLength(text) < 40_000) {
        const roll = next();
        if (roll < 0.02) {
          // The generic detector works from the prefilter's byte positions: mapped, not searched again.
          const value = `Fk9!${fakeString(5000 + round * 100 + planted.length, 16)}`;
          planted.push(value);
          text += `\ndb_password = "${value}"\n`;
        } else if (roll < 0.04 || (round % 2 === 0 && roll < 0.3)) text += wide[Math.floor(next() * wide.length)];
        else if (roll < 0.05) text += 'x'.repeat(Math.floor(next() * 9000)); // a stretch with no multi-byte character
        else text += 'abcdefghij klmnop;\n'[Math.floor(next() * 20)];
      }
      // An astral character exactly across the first 4 KiB edge, in byte terms.
      text = `${'a'.repeat(4094)}😀${text}`;
      const findings = detect(Buffer.from(text)).filter((f) => f.detector === 'generic');
      expect(findings.map((f) => f.secret).sort(), `round ${round}`).toEqual([...planted].sort());
      for (const f of findings) {
        expect(text.slice(f.range[0], f.range[1]), `round ${round}`).toBe(f.secret);
        expect(Buffer.from(text).subarray(f.byteRange[0], f.byteRange[1]).toString(), `round ${round}`).toBe(f.secret);
        const before = text.slice(0, f.range[0]);
        expect([f.line, f.column], `round ${round}`).toEqual([before.split('\n').length, f.range[0] - before.lastIndexOf('\n')]);
      }
    }
  });
});

describe('generic detector: db_password = "Summer2024!"', () => {
  const cases: [string, string][] = [
    ['settings.py', 'db_password = "Summer2024!"'],
    ['config.yaml', 'db_password: "Summer2024!"'],
    ['config.yml', 'db_password: Summer2024!'],
    ['.env', 'DB_PASSWORD=Summer2024!'],
    ['app.properties', 'db.password=Summer2024!'],
    ['config.json', '{"db_password": "Summer2024!"}'],
    ['main.tf', 'db_password = "Summer2024!"'],
    ['main.go', 'dbPassword := "Summer2024!"'],
    ['App.java', 'String dbPassword = "Summer2024!";'],
    ['config.rb', "db_password = 'Summer2024!'"],
    ['config.php', "$db_password = 'Summer2024!';"],
    ['config.php', "'db_password' => 'Summer2024!',"],
    ['Program.cs', 'var dbPassword = "Summer2024!";'],
    ['app.config', '<add key="x" /><db_password>Summer2024!</db_password>'],
    ['settings.ini', 'db_password = Summer2024!'],
    ['Cargo.toml', 'db_password = "Summer2024!"'],
    ['deploy.sh', 'export DB_PASSWORD="Summer2024!"'],
    ['server.ts', 'const dbPassword = "Summer2024!";'],
    ['server.ts', 'export const dbPassword: string = "Summer2024!";'],
    ['server.ts', 'private readonly dbPassword: Record<string, string>[] = "Summer2024!";'],
  ];
  it.each(cases)('%s: %s', (path, line) => {
    const text = `# header\n${line}\n`;
    const found = detect(text, path);
    const start = text.indexOf('Summer2024!');
    expect(found.map(span)).toEqual([{ ruleId: 'generic.password', range: [start, start + 11], byteRange: [start, start + 11], line: 2, column: start - 8, endLine: 2, endColumn: start - 8 + 11 }]);
    expect(found[0].detector).toBe('generic');
    expect(found[0].secret).toBe('Summer2024!');
    expect(found[0].redacted).toBe('Su…!');
  });
});

describe('generic detector: the quick check before the assignment regex', () => {
  it('never skips what ASSIGNMENT would match, or read as a quoted value in code (20,000 random tails)', () => {
    let t = 11;
    const next = () => ((t = (Math.imul(t, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const pieces = [' ', '\t', '=', '==', '=>', ':', '::', ':=', '?=', '?', '"', "'", '`', ']', '[', '[]', 'x', 'Type', 'a.b', '<T>', '<', '>', ',', '(', ')', '!', 'Summer2024!', '$v', '\n', '\r\n', ';', '#', '&', '|', '}', '\f', '\u00a0'];
    let quoted = 0;
    for (let round = 0; round < 20_000; round++) {
      const end = next();
      const tail = Array.from({ length: 1 + Math.floor(next() * 6) }, () => pieces[Math.floor(next() * pieces.length)]).join('') + (end < 0.5 ? '"Summer2024!"' : end < 0.65 ? '' : ' rest');
      const text = `password${tail}`;
      ASSIGNMENT.lastIndex = 8;
      const m = ASSIGNMENT.exec(text);
      // Without quotedOnly: never false where ASSIGNMENT matches at all.
      if (m) expect(mayHaveValue(text, 8, false), JSON.stringify(text)).toBe(true);
      if (m?.groups?.secret === undefined) continue;
      quoted++;
      expect(mayHaveValue(text, 8, true), JSON.stringify(text)).toBe(true);
    }
    expect(quoted).toBeGreaterThan(300);
  });

  it('skips uses and unquoted values in code', () => {
    for (const text of ['password = getPassword()', 'password: user.password,', 'password == other', 'password::new', 'password ? a : b']) {
      expect(mayHaveValue(text, 8, true), text).toBe(false);
    }
    for (const text of ['password = "x"', "password: 'x'", 'password => `x`', 'password: string = "x"', 'password: Map<K, V>', 'password>x</password>', 'password"] = "x"']) {
      expect(mayHaveValue(text, 8, true), text).toBe(true);
    }
    for (const text of ['password = hunter2', 'password: s3cret', 'password := x']) expect(mayHaveValue(text, 8, false), text).toBe(true);
    for (const text of ['password must be long', 'password == x', 'password::x', 'password, then']) expect(mayHaveValue(text, 8, false), text).toBe(false);
    // Nothing to read on the line: a YAML key over a nested map, an empty value.
    for (const text of ['password:\n  name: db', 'password: \r\n', 'password:', 'password = ;', 'password: # later', 'password=)']) expect(mayHaveValue(text, 8, false), JSON.stringify(text)).toBe(false);
  });
});

describe('quiet on non-secrets', () => {
  const quiet: [string, string, string][] = [
    ['a numeric setting', 'settings.py', 'password_min_length = 12'],
    ['an env var reference', 'config.yaml', 'password: ${DB_PASSWORD}'],
    ['os.environ', 'app.py', 'password = os.environ["X"]'],
    ['process.env', 'app.js', 'const c = { token: process.env.TOKEN };'],
    ['<YOUR_KEY>', '.env', 'API_KEY=<YOUR_KEY>'],
    ['xxxx…', '.env', 'API_KEY=xxxxxxxxxxxxxxxxxxxxxxxx'],
    ['a Helm template', 'values.yaml', 'password: "{{ .Values.x }}"'],
    ['changeme', 'config.yaml', 'password: changeme'],
    ['AWS documentation keys', 'credentials', 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    ['a Stripe publishable key', 'pay.js', 'Stripe("pk_live_51H8abcdEFGHijklMNOPqrstUVWXyz0123456789")'],
    ['the jwt.io example token', 'a.js', 'const t = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"'],
    ['a lockfile integrity hash', 'package-lock.json', '"integrity": "sha512-Yhz8Eiu7M1w0ZyW3a4sHqDq2XKvDxN1OeU2pJ2nE/3jGeHEVsjWrXtWYk8qy5f7Kb7Hlx0gVRDvqK0g0f8N0Qw=="'],
    ['an SRI hash', 'index.html', '<script src="x.js" integrity="sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC" crossorigin></script>'],
    ['a source map', 'app.js.map', '{"version":3,"sources":["a.ts"],"mappings":"AAAA,SAASA,IAAI;AACb,OAAO","sourcesContent":["const token = \\"abcDEF123ghiJKL456\\""]}'],
    ['a base64 PNG data URI', 'a.css', 'background: url(data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==)'],
    ['UUIDs', 'ids.yaml', 'id: 3f2504e0-4f89-11d3-9a0c-0305e82c3301\nrequestId: "6fa459ea-ee8a-3ca4-894e-db77e160355e"\nsecret_id: 3f2504e0-4f89-11d3-9a0c-0305e82c3301'],
    ['commit SHAs', 'release.yaml', 'commit: 9fceb02d0ae598e95dc970b74767f19372d61af8\nsha: "2c26b46b68ffc68ff99b453c1d30413413422d70"'],
    ['an AWS-shaped key id marked EXAMPLE', 'x.txt', 'AKIAI44QH8DHBEXAMPLE'],
  ];
  it.each(quiet)('%s', (_name, path, text) => {
    expect(detect(text, path).map((f) => `${f.ruleId}: ${f.secret}`)).toEqual([]);
  });

  it('a real-shaped Stripe secret key next to the publishable one is still found', () => {
    const key = fakeStripeKey(9);
    const found = detect(`Stripe("pk_live_51H8abcdEFGHijklMNOPqrstUVWXyz0123456789"); const s = "${key}";`, 'pay.js');
    expect(found.map((f) => [f.ruleId, f.secret])).toEqual([['stripe.secret-key', key]]);
  });
});

describe('inline allow comments', () => {
  const markers = ['# leakfix:allow', '// gitleaks:allow', '# pragma: allowlist secret'];
  it.each(markers)('%s on the line drops the finding', (marker) => {
    expect(detect(`token = "${gh}" ${marker}\n`)).toEqual([]);
  });

  it('leakfix:allow-next-line drops only the next line', () => {
    const text = `# leakfix:allow-next-line\ntoken = "${gh}"\nother = "${gh}"\n`;
    expect(detect(text).map((f) => [f.line, f.column])).toEqual([[3, 10]]);
  });

  it('without a marker the same line is reported', () => {
    expect(detect(`token = "${gh}" # fine\n`).map((f) => [f.line, f.column])).toEqual([[1, 10]]);
  });
});

describe('fingerprint and redaction', () => {
  it('the fingerprint is stable when lines move and changes with the path', () => {
    const a = detect(`token = ${gh}\n`, 'src/a.txt')[0];
    const b = detect(`\n\n\n  // moved\n   token = ${gh}\n`, 'src/a.txt')[0];
    const c = detect(`token = ${gh}\n`, 'src/b.txt')[0];
    expect(a.line).toBe(1);
    expect(b.line).toBe(5);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(a.fingerprint).toBe(fingerprint('github.pat-classic', 'src/a.txt', gh));
    expect(a.fingerprint).toMatch(/^[0-9a-f]{40}$/);
    expect(c.fingerprint).not.toBe(a.fingerprint);
    expect(a.fingerprint).not.toContain(gh.slice(4, 12));
  });

  it('redaction keeps 4+4 characters of long secrets, 2+1 of medium, 1 of short', () => {
    expect(redact(gh)).toBe(`${gh.slice(0, 4)}…${gh.slice(-4)}`);
    const aws = fakeAwsKeyId(5);
    expect(detect(`id = ${aws}`)[0].redacted).toBe(`AKIA…${aws.slice(-4)}`);
    expect(redact('Summer2024!')).toBe('Su…!');
    expect(redact('hunter2x')).toBe('h…');
    expect(redact('-----BEGIN OPENSSH PRIVATE KEY-----\nabc')).toBe('-----BEGIN OPENSSH PRIVATE KEY-----…');
  });

  it('a finding carries severity, confidence, entropy and the rule name', () => {
    const [f] = detect(`token = ${gh}`);
    expect(f.ruleName).toBe('GitHub personal access token (classic)');
    expect(f.confidence).toBe('high');
    expect(f.entropy).toBeGreaterThan(4);
    const [g] = detect('db_password = "Summer2024!"', 'x.py');
    expect([g.severity, g.confidence, g.ruleName]).toEqual(['high', 'medium', 'Hard-coded password']);
  });
});
