// SigV4 verification: recompute the signature from the request with the store's own secret key
// and compare in constant time. Failures use the error types and messages AWS returns.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { apiError } from './errors.js';

export type SignedRequest = { method: string; path: string; query: string; headers: IncomingHttpHeaders; body: Buffer };
export type VerifyOptions = { accessKeyId: string; secretAccessKey: string; region: string; service: string; now: number };

const MAX_SKEW_MS = 15 * 60_000;
const hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

// RFC 3986 encoding as SigV4 wants it (encodeURIComponent leaves !'()* alone).
const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

function canonicalUri(path: string): string {
  const segments = path.split('/').map((seg) => enc(enc(decodeURIComponent(seg))));
  return segments.join('/') || '/';
}

function canonicalQuery(query: string): string {
  if (!query) return '';
  return query
    .split('&')
    .filter(Boolean)
    .map((kv) => {
      const i = kv.indexOf('=');
      const k = decodeURIComponent((i < 0 ? kv : kv.slice(0, i)).replace(/\+/g, ' '));
      const v = i < 0 ? '' : decodeURIComponent(kv.slice(i + 1).replace(/\+/g, ' '));
      return [enc(k), enc(v)] as const;
    })
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function headerValue(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v.join(',') : v).trim().replace(/\s+/g, ' ');
}

const incomplete = (m: string) => apiError('IncompleteSignatureException', m);
const invalid = (m: string) => apiError('InvalidSignatureException', m);

// AWS's basic ISO 8601 form: 20240102T030405Z
function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : undefined;
}

export function verifySigV4(req: SignedRequest, o: VerifyOptions): void {
  const auth = headerValue(req.headers, 'authorization');
  if (!auth) throw apiError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const m = /^AWS4-HMAC-SHA256\s+(.*)$/.exec(auth);
  if (!m) throw incomplete(`Authorization header requires the AWS4-HMAC-SHA256 algorithm. Authorization=${auth.split(' ')[0]}`);
  const params = new Map<string, string>();
  for (const part of m[1].split(/\s*,\s*/)) {
    const i = part.indexOf('=');
    if (i > 0) params.set(part.slice(0, i), part.slice(i + 1));
  }
  for (const p of ['Credential', 'SignedHeaders', 'Signature']) {
    if (!params.get(p)) throw incomplete(`Authorization header requires '${p}' parameter.`);
  }
  const scopeParts = params.get('Credential')!.split('/');
  if (scopeParts.length !== 5 || scopeParts[4] !== 'aws4_request') {
    throw incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term.");
  }
  const [keyId, scopeDate, scopeRegion, scopeService] = scopeParts;
  if (keyId !== o.accessKeyId) throw apiError('UnrecognizedClientException', 'The security token included in the request is invalid.');

  const amzDate = headerValue(req.headers, 'x-amz-date');
  if (!amzDate) throw incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  const when = parseAmzDate(amzDate);
  if (when === undefined) throw incomplete(`Date must be in ISO-8601 'basic format'. Got '${amzDate}'.`);
  if (Math.abs(o.now - when) > MAX_SKEW_MS) {
    throw invalid(`Signature expired: ${amzDate} is now earlier or later than the allowed 15 minute skew from the server time.`);
  }
  if (scopeDate !== amzDate.slice(0, 8)) {
    throw invalid(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate.slice(0, 8)}'`);
  }
  if (scopeRegion !== o.region) throw invalid(`Credential should be scoped to a valid region, not '${scopeRegion}'. This store serves '${o.region}'.`);
  if (scopeService !== o.service) throw invalid(`Credential should be scoped to correct service: '${o.service}'.`);

  const signed = params.get('SignedHeaders')!.split(';');
  if (!signed.includes('host')) throw invalid("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  const canonicalHeaders = signed.map((h) => `${h}:${headerValue(req.headers, h) ?? ''}\n`).join('');
  const payloadHash = hex(req.body);
  const claimed = headerValue(req.headers, 'x-amz-content-sha256');
  if (claimed && claimed !== payloadHash && claimed !== 'UNSIGNED-PAYLOAD') {
    throw invalid('The provided x-amz-content-sha256 header does not match what was computed.');
  }
  const canonical = [req.method, canonicalUri(req.path), canonicalQuery(req.query), canonicalHeaders, signed.join(';'), payloadHash].join('\n');
  const scope = `${scopeDate}/${scopeRegion}/${scopeService}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, hex(canonical)].join('\n');
  let key = hmac('AWS4' + o.secretAccessKey, scopeDate);
  for (const part of [scopeRegion, scopeService, 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(toSign).digest();
  const given = Buffer.from(params.get('Signature')!, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw invalid(
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
}
