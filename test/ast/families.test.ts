// ESLint-style cases per sink family: invalid code yields exactly one AST hit at this line/column
// with this secret span and flow; valid code yields none. Runs the analysis without the cheap gate.
import { describe, expect, it } from 'vitest';
import { detectAst } from '../../src/detect/ast/detect.js';
import { lineIndex, position } from '../../src/detect/location.js';

interface Invalid {
  code: string;
  path?: string;
  rule: string;
  line: number;
  column: number;
  secret: string;
  flow: string[];
}

const families: Record<string, { valid: string[]; invalid: Invalid[] }> = {
  'credential names': {
    valid: ["const password = process.env.PASSWORD;", "const [s, setS] = useState({ password: '' });", "<input type=\"password\" />", "function f(password) { return { password }; }"],
    invalid: [
      { code: "const x = 1;\nconst dbPassword = 'Summer2024!';", rule: 'ast.hardcoded-password', line: 2, column: 21, secret: 'Summer2024!', flow: ['literal', 'dbPassword'] },
      { code: "obj.apiKey = 'k3y-9a8b7c6d5e4f';", rule: 'ast.api-key', line: 1, column: 15, secret: 'k3y-9a8b7c6d5e4f', flow: ['literal', 'apiKey'] },
      { code: "const { password = 'Hunter2000!' } = opts;", rule: 'ast.hardcoded-password', line: 1, column: 21, secret: 'Hunter2000!', flow: ['literal', 'password'] },
      { code: "const App = () => <Client token={'tok_9fKq2LmZx81Qw'} />;", path: 'a.tsx', rule: 'ast.hardcoded-secret', line: 1, column: 35, secret: 'tok_9fKq2LmZx81Qw', flow: ['literal', 'token'] },
      { code: "const buf = Buffer.from('Summer2024!', 'utf8');\nconst c = { password: buf };", rule: 'ast.hardcoded-password', line: 1, column: 26, secret: 'Summer2024!', flow: ['literal', 'Buffer.from', 'buf', 'password'] },
      { code: "const p = `Summer2024!`;\nconst { ...rest } = x;\nconst c = { ...{ password: p } };", rule: 'ast.hardcoded-password', line: 1, column: 12, secret: 'Summer2024!', flow: ['literal', 'p', 'password'] },
    ],
  },
  'aws sdk': {
    valid: ["import { S3Client } from '@aws-sdk/client-s3';\nnew S3Client({ region: 'eu-west-1' });"],
    invalid: [
      { code: "import { S3Client } from '@aws-sdk/client-s3';\nconst creds = { accessKeyId: 'AKIAZ3QF7TESTKEYQWEX', secretAccessKey: 'w9Jd0xKq2mZLr7Tb4Vn1Yc8Ps3Gh6Fe5Da0Ub2Q' };\nnew S3Client({ credentials: creds });", rule: 'ast.aws-credentials', line: 2, column: 72, secret: 'w9Jd0xKq2mZLr7Tb4Vn1Yc8Ps3Gh6Fe5Da0Ub2Q', flow: ['literal', 'secretAccessKey', 'creds', 'credentials', 'aws-sdk-v3'] },
    ],
  },
  databases: {
    valid: ["const db = new Sequelize(process.env.DATABASE_URL);", "await mongoose.connect(config.mongoUri);", "const r = new Redis({ host: 'cache', port: 6379 });"],
    invalid: [
      { code: "const s = new Sequelize('db', 'root', 'Summer2024!');", rule: 'ast.db-password', line: 1, column: 40, secret: 'Summer2024!', flow: ['literal', 'sequelize'] },
      { code: "const r = new Redis(6379, 'cache', { password: 'Summer2024!' });", rule: 'ast.db-password', line: 1, column: 49, secret: 'Summer2024!', flow: ['literal', 'password', 'redis'] },
      { code: "await mongoose.connect('mongodb://app:Summer2024!@db/shop');", rule: 'ast.db-password', line: 1, column: 39, secret: 'Summer2024!', flow: ['literal', 'mongodb'] },
    ],
  },
  'jwt and crypto': {
    valid: ["jwt.sign(claims, privateKeyFromVault);", "crypto.createHmac('sha256', key);", "crypto.pbkdf2(password, salt, 1, 32, 'sha256', cb);"],
    invalid: [
      { code: "jwt.verify(token, 'Summer2024!');", rule: 'ast.jwt-secret', line: 1, column: 20, secret: 'Summer2024!', flow: ['literal', 'jsonwebtoken'] },
      { code: "const c = require('crypto');\nc.createHmac('sha1', 'hmac-' + 'local-42');", rule: 'ast.crypto-key', line: 2, column: 22, secret: 'hmac-local-42', flow: ['concatenation', 'crypto-hmac'] },
    ],
  },
  'sessions, passport, mail': {
    valid: ["app.use(session({ secret: secrets.session }));", "app.use(cookieParser(process.env.COOKIE_SECRET));"],
    invalid: [
      { code: "app.use(cookieParser('s3cr3t-cookie'));", rule: 'ast.session-secret', line: 1, column: 23, secret: 's3cr3t-cookie', flow: ['literal', 'cookie-parser'] },
      { code: "passport.use(new GoogleStrategy({ clientID: 'id', clientSecret: 'gh-oauth-Summer2024' }, cb));", rule: 'ast.oauth-client-secret', line: 1, column: 66, secret: 'gh-oauth-Summer2024', flow: ['literal', 'clientSecret', 'passport'] },
      { code: "const smtp = { user: 'a', pass: 'Spring2022$' };\nnodemailer.createTransport({ auth: smtp });", rule: 'ast.smtp-password', line: 1, column: 34, secret: 'Spring2022$', flow: ['literal', 'pass', 'smtp', 'auth', 'nodemailer'] },
    ],
  },
  'http clients': {
    valid: ["fetch(url, { headers: { Authorization: `Bearer ${token}` } });", "request.get(url).set('Accept', 'text/plain');", "axios.get(url, { auth: { username: u, password: p } });"],
    invalid: [
      { code: "axios.post(url, body, { headers: { authorization: 'Basic c3ZjOlN1bW1lcjIwMjQh' } });", rule: 'ast.http-credentials', line: 1, column: 58, secret: 'c3ZjOlN1bW1lcjIwMjQh', flow: ['literal', 'authorization', 'headers', 'http-client'] },
      { code: "got(url, { username: 'svc', password: 'Summer2024!' });", rule: 'ast.http-credentials', line: 1, column: 40, secret: 'Summer2024!', flow: ['literal', 'password', 'http-client'] },
    ],
  },
  sdks: {
    valid: ["const stripe = new Stripe(process.env.STRIPE_KEY);", "const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });", "sgMail.setApiKey(keys.sendgrid);"],
    invalid: [
      { code: "const client = require('twilio')('AC0123', 'auth-Summer2024');", rule: 'ast.api-key', line: 1, column: 45, secret: 'auth-Summer2024', flow: ['literal', 'twilio'] },
      { code: "const k = 'sk-local-Summer2024';\nconst openai = new OpenAI({ apiKey: k });", rule: 'ast.api-key', line: 1, column: 12, secret: 'sk-local-Summer2024', flow: ['literal', 'k', 'apiKey', 'sdk-options-key'] },
    ],
  },
};

describe.each(Object.entries(families))('%s', (_name, { valid, invalid }) => {
  it.each(valid)('valid: %s', (code) => {
    expect(detectAst(code, /<\w/.test(code) ? 'a.jsx' : 'a.ts', { gate: false })).toEqual([]);
  });
  it.each(invalid)('invalid: $code', (c) => {
    const hits = detectAst(c.code, c.path ?? 'a.ts', { gate: false });
    expect(hits).toHaveLength(1);
    const [hit] = hits;
    const at = position(lineIndex(c.code), hit.start);
    expect({ rule: hit.ruleId, line: at.line, column: at.column, secret: hit.secret, flow: hit.flow.map((s) => s.name) }).toEqual({ rule: c.rule, line: c.line, column: c.column, secret: c.secret, flow: c.flow });
    if (!hit.flow.some((s) => s.name === 'concatenation')) expect(c.code.slice(hit.start, hit.end)).toBe(c.secret);
  });
});

describe('robustness', () => {
  it('returns nothing on a parse error, and for paths that are not JS/TS', () => {
    expect(detectAst("const password = 'Summer2024!' +;", 'a.ts', { gate: false })).toEqual([]);
    expect(detectAst("password = 'Summer2024!'", 'a.py', { gate: false })).toEqual([]);
  });

  it('reads only the <script> blocks of a .svelte file, at their offsets in the file', () => {
    const code = "<p>{password}</p>\n<script>\n  const rootPass = 'Summer2024!';\n</script>\n";
    const [hit] = detectAst(code, 'a.svelte', { gate: false });
    expect(position(lineIndex(code), hit.start)).toEqual({ line: 3, column: 21 });
    expect(code.slice(hit.start, hit.end)).toBe('Summer2024!');
  });

  it('marks findings under test and fixture paths low confidence', () => {
    for (const path of ['test/a.ts', 'src/__tests__/a.ts', 'src/a.spec.ts', 'src/a.test.js', 'fixtures/a.ts']) {
      expect(detectAst("const dbPassword = 'Summer2024!';", path, { gate: false })[0].confidence).toBe('low');
    }
    expect(detectAst("const dbPassword = 'Summer2024!';", 'src/a.ts', { gate: false })[0].confidence).toBe('medium');
  });
});
