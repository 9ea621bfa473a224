// .leakfix.yaml: find, parse and validate. Every error names the file, the key and the cause.
import { existsSync, readFileSync, statSync } from 'node:fs';
import picomatch from 'picomatch';
import { parseYaml } from '../rules/yaml-cache.js';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { RuleSpec } from '../types.js';

export interface Config {
  file?: string;
  rules: {
    disable: string[];
    override: Record<string, Partial<Pick<RuleSpec, 'severity' | 'confidence' | 'entropy' | 'keywords' | 'paths' | 'allow'>>>;
    custom: RuleSpec[];
  };
  allow: { paths: string[]; values: string[]; regexes: string[]; stopwords: string[] };
  exclude: string[];
  include: string[];
  generic: boolean;
  decode: boolean;
  ast: boolean;
  maxFileSize?: number;
}

/** Whether a rule id is switched off by `rules.disable` (ids or globs). */
export function ruleDisabled(config: Config): (ruleId: string) => boolean {
  return config.rules.disable.length ? picomatch(config.rules.disable) : () => false;
}

export const CONFIG_NAMES = ['.leakfix.yaml', '.leakfix.yml'];

export function emptyConfig(): Config {
  return {
    rules: { disable: [], override: {}, custom: [] },
    allow: { paths: [], values: [], regexes: [], stopwords: [] },
    exclude: [],
    include: [],
    generic: true,
    decode: true,
    ast: true,
  };
}

/** Parses sizes such as 1048576, "10MB", "512k". */
export function parseSize(value: unknown, where: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return Math.floor(value);
  const m = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*$/i.exec(value) : null;
  if (!m) throw new UserError(`${where}: invalid size ${JSON.stringify(value)} (use bytes or e.g. 10MB)`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.floor(Number(m[1]) * unit);
}

function stringList(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new UserError(`${where} must be a list of strings`);
  return value as string[];
}

/** The config file in a scanned directory, if any. */
export function findConfig(dir: string): string | undefined {
  try {
    if (!statSync(dir).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  return CONFIG_NAMES.map((name) => join(dir, name)).find((file) => existsSync(file));
}

export function loadConfig(file: string | undefined): Config {
  const config = emptyConfig();
  if (!file) return config;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`${file}: cannot read config: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new UserError(`${file}: cannot parse YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  config.file = file;
  if (data == null) return config;
  if (typeof data !== 'object' || Array.isArray(data)) throw new UserError(`${file}: the config must be a YAML mapping`);
  const d = data as Record<string, unknown>;
  const known = ['rules', 'allow', 'exclude', 'include', 'generic', 'decode', 'ast', 'max_file_size'];
  for (const key of Object.keys(d)) {
    if (!known.includes(key)) throw new UserError(`${file}: unknown key \`${key}\` (known: ${known.join(', ')})`);
  }
  if (d.rules !== undefined) {
    if (typeof d.rules !== 'object' || d.rules === null || Array.isArray(d.rules)) throw new UserError(`${file}: \`rules\` must be a mapping with disable, override, custom`);
    const r = d.rules as Record<string, unknown>;
    config.rules.disable = stringList(r.disable, `${file}: \`rules.disable\``);
    if (r.override !== undefined) {
      if (typeof r.override !== 'object' || r.override === null || Array.isArray(r.override)) throw new UserError(`${file}: \`rules.override\` must map rule ids to fields`);
      config.rules.override = r.override as Config['rules']['override'];
    }
    if (r.custom !== undefined) {
      if (!Array.isArray(r.custom)) throw new UserError(`${file}: \`rules.custom\` must be a list of rules`);
      config.rules.custom = r.custom as RuleSpec[];
    }
  }
  if (d.allow !== undefined) {
    if (typeof d.allow !== 'object' || d.allow === null || Array.isArray(d.allow)) throw new UserError(`${file}: \`allow\` must be a mapping with paths, values, regexes, stopwords`);
    const a = d.allow as Record<string, unknown>;
    config.allow = {
      paths: stringList(a.paths, `${file}: \`allow.paths\``),
      values: stringList(a.values, `${file}: \`allow.values\``),
      regexes: stringList(a.regexes, `${file}: \`allow.regexes\``),
      stopwords: stringList(a.stopwords, `${file}: \`allow.stopwords\``).map((w) => w.toLowerCase()),
    };
    config.allow.regexes.forEach((r, i) => {
      try {
        new RegExp(r);
      } catch (err) {
        throw new UserError(`${file}: \`allow.regexes[${i}]\`: invalid regex: ${(err as Error).message}`);
      }
    });
  }
  config.exclude = stringList(d.exclude, `${file}: \`exclude\``);
  config.include = stringList(d.include, `${file}: \`include\``);
  for (const key of ['generic', 'decode', 'ast'] as const) {
    if (d[key] !== undefined) {
      if (typeof d[key] !== 'boolean') throw new UserError(`${file}: \`${key}\` must be true or false`);
      config[key] = d[key] as boolean;
    }
  }
  if (d.max_file_size !== undefined) config.maxFileSize = parseSize(d.max_file_size, `${file}: \`max_file_size\``);
  return config;
}
