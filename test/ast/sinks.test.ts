// rules/sinks.yaml is data with examples: every example yields its secret and flow, every
// negative yields nothing, every sink is well-formed.
import { describe, expect, it } from 'vitest';
import { checkSinks } from '../../src/detect/ast/check.js';
import { loadSinks, nameSink, sinkKeywords } from '../../src/detect/ast/sinks.js';
import { AST_RULES } from '../../src/detect/ast/rules.js';

describe('rules/sinks.yaml', () => {
  it('runs every example and negative example', () => {
    const result = checkSinks();
    expect(result.failures).toEqual([]);
    expect(result.examples).toBeGreaterThanOrEqual(40);
    expect(result.negatives).toBeGreaterThanOrEqual(35);
  });

  it('has unique ids, known rules and at least one call sink per issue family', () => {
    const sinks = loadSinks();
    const ids = sinks.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of sinks) expect(Object.keys(AST_RULES)).toContain(s.rule);
    for (const id of ['aws-sdk-v3', 'aws-sdk-v2', 'pg', 'mysql', 'mongodb', 'sequelize', 'knex', 'typeorm', 'redis', 'jsonwebtoken', 'crypto-hmac', 'crypto-cipher', 'crypto-kdf', 'express-session', 'cookie-parser', 'passport', 'nodemailer', 'http-client', 'http-set-header', 'http-basic-auth', 'sdk-key-argument', 'twilio', 'set-api-key', 'sdk-options-key']) {
      expect(ids).toContain(id);
    }
  });

  it('matches credential names by their last words, longest first', () => {
    expect(nameSink('dbPassword')?.id).toBe('password');
    expect(nameSink('DB_PASSWORD')?.id).toBe('password');
    expect(nameSink('clientSecret')?.id).toBe('client-secret');
    expect(nameSink('aws_secret_access_key')?.id).toBe('aws-credentials');
    expect(nameSink('apiKey')?.id).toBe('api-key');
    expect(nameSink('passwordLength')).toBeUndefined();
    expect(nameSink('tokenType')).toBeUndefined();
    expect(nameSink('oauth')).toBeUndefined();
    expect(nameSink('author')).toBeUndefined();
  });

  it('lists the prefilter words of call sinks, lower-case', () => {
    const words = sinkKeywords();
    expect(words).toContain('createhmac');
    expect(words).toContain('jsonwebtoken');
    for (const w of words) expect(w).toBe(w.toLowerCase());
  });
});
