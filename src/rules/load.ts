// Rule files (YAML data) → validated, compiled rules. Errors name the file, the rule id and
// the cause in one line, so a broken custom rule is fixed without reading a stack trace.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { BUILTIN_RULES_DIR } from './builtin-dir.js';
import { join } from 'node:path';
import { parseYaml, readYamlCached } from './yaml-cache.js';
import picomatch from 'picomatch';
import { UserError } from '../errors.js';
import { validators } from '../detect/validators.js';
import type { Rule, RuleSpec } from '../types.js';

/**
 * The package's rules/ directory: the nearest one holding aws.yaml above this module. tsc output
 * sits at dist/rules/load.js, the bundled GitHub Action at dist/action.js; both find <root>/rules.
 */
export { BUILTIN_RULES_DIR };

const SEVERITIES = ['critical', 'high', 'medium', 'low'];
const CONFIDENCES = ['high', 'medium', 'low'];
const NON_RULE_FILES = new Set(['sinks.yaml']);

export function ruleFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw new UserError(`cannot read rules directory ${dir}: ${(err as Error).message}`);
  }
  return names
    .filter((n) => /\.ya?ml$/.test(n) && !NON_RULE_FILES.has(n))
    .sort()
    .map((n) => join(dir, n));
}

export function readRuleFile(file: string): RuleSpec[] {
  let data: unknown;
  try {
    data = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`${file}: cannot parse YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (data == null) return [];
  if (!Array.isArray(data)) throw new UserError(`${file}: a rule file must be a YAML list of rules`);
  return data as RuleSpec[];
}

const RULE_KEYS: readonly (keyof RuleSpec)[] = [
  'id', 'name', 'severity', 'confidence', 'keywords', 'pattern', 'flags', 'entropy', 'validator', 'decode', 'structural',
  'paths', 'anchor', 'allow', 'references', 'remediation', 'examples', 'negative_examples',
];

export function compileRule(spec: RuleSpec, source: string): Rule {
  const where = `${source}: rule ${typeof spec?.id === 'string' ? spec.id : '(no id)'}`;
  const fail = (msg: string): never => {
    throw new UserError(`${where}: ${msg}`);
  };
  if (!spec || typeof spec !== 'object') fail('is not a mapping');
  for (const key of Object.keys(spec)) if (!RULE_KEYS.includes(key as keyof RuleSpec)) fail(`unknown key \`${key}\` (known: ${RULE_KEYS.join(', ')})`);
  if (typeof spec.id !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(spec.id)) fail('`id` must be lower-case letters, digits, `.`, `_` or `-`');
  if (typeof spec.name !== 'string' || !spec.name) fail('`name` is required');
  if (!SEVERITIES.includes(spec.severity)) fail(`\`severity\` must be one of ${SEVERITIES.join(', ')}`);
  if (spec.confidence !== undefined && !CONFIDENCES.includes(spec.confidence)) fail(`\`confidence\` must be one of ${CONFIDENCES.join(', ')}`);
  if (!Array.isArray(spec.keywords) || spec.keywords.length === 0) fail('`keywords` must be a non-empty list');
  for (const k of spec.keywords) {
    if (typeof k !== 'string' || k.length < 2) fail(`keyword ${JSON.stringify(k)} must be a string of at least 2 characters`);
    if (k !== k.toLowerCase()) fail(`keyword "${k}" must be lower-case`);
  }
  if (typeof spec.pattern !== 'string' || !spec.pattern) fail('`pattern` is required');
  const flags = spec.flags ?? '';
  if (!/^[ims]*$/.test(flags)) fail('`flags` may only contain i, m, s');
  let regex: RegExp;
  try {
    regex = new RegExp(spec.pattern, `gd${flags}`);
  } catch (err) {
    return fail(`invalid pattern: ${(err as Error).message}`);
  }
  if (!/\(\?<secret>/.test(spec.pattern)) fail('`pattern` needs a named group `secret`');
  if (spec.entropy !== undefined && (typeof spec.entropy !== 'number' || spec.entropy < 0 || spec.entropy > 8)) fail('`entropy` must be a number between 0 and 8');
  if (spec.validator !== undefined && !(spec.validator in validators)) fail(`unknown validator "${spec.validator}" (known: ${Object.keys(validators).join(', ')})`);
  if (spec.decode !== undefined && spec.decode !== 'base64') fail('`decode` may only be base64');
  if (spec.structural !== undefined && typeof spec.structural !== 'boolean') fail('`structural` must be true or false');
  let sticky: RegExp | undefined;
  if (spec.anchor !== undefined) {
    const { literals, within } = spec.anchor ?? {};
    if (literals !== undefined && (!Array.isArray(literals) || literals.length === 0 || literals.some((l) => typeof l !== 'string' || l.length === 0))) fail('`anchor.literals` must be a non-empty list of strings');
    if (!Number.isInteger(within) || within < 0 || within > 4096) fail('`anchor.within` must be a whole number from 0 to 4096');
    // Literals are found case-sensitively: with the `i` flag only caseless ones (`://`) will do.
    if (literals && flags.includes('i') && literals.some((l) => l.toLowerCase() !== l.toUpperCase())) fail('`anchor.literals` must have no letters when the pattern has the `i` flag');
    // Keyword anchors are prefilter byte offsets, taken as character offsets: ASCII only.
    if (!literals && spec.keywords.some((k) => /[^\x00-\x7f]/.test(k))) fail('`anchor` without `literals` needs ASCII keywords');
    sticky = new RegExp(`${within > 0 ? `[\\s\\S]{0,${within}}?` : ''}(?:${spec.pattern})`, `yd${flags}`);
  }
  let pathMatch: Rule['pathMatch'];
  if (spec.paths !== undefined) {
    if (!Array.isArray(spec.paths) || spec.paths.some((p) => typeof p !== 'string')) fail('`paths` must be a list of globs');
    pathMatch = picomatch(spec.paths, { dot: true });
  }
  const allowRegexes: RegExp[] = [];
  for (const r of spec.allow?.regexes ?? []) {
    try {
      allowRegexes.push(new RegExp(r));
    } catch (err) {
      fail(`invalid allow regex ${JSON.stringify(r)}: ${(err as Error).message}`);
    }
  }
  // Every rule has the same fields in the same order (absent ones undefined): the engine's hot
  // loops then see one object shape, not one per combination of optional keys.
  return {
    id: spec.id,
    name: spec.name,
    severity: spec.severity,
    confidence: spec.confidence,
    keywords: spec.keywords.map(String),
    pattern: spec.pattern,
    flags: spec.flags,
    entropy: spec.entropy,
    validator: spec.validator,
    decode: spec.decode,
    structural: spec.structural,
    paths: spec.paths,
    anchor: spec.anchor,
    allow: spec.allow,
    references: spec.references,
    remediation: spec.remediation,
    examples: spec.examples,
    negative_examples: spec.negative_examples,
    regex,
    sticky,
    allowRegexes,
    pathMatch,
    source,
  };
}

/** Loads every rule file of a directory (or one file); ids must be unique across them. */
export function loadRules(dirOrFile: string = BUILTIN_RULES_DIR): Rule[] {
  let isDir: boolean;
  try {
    isDir = statSync(dirOrFile).isDirectory();
  } catch {
    throw new UserError(`rules path not found: ${dirOrFile}`);
  }
  const files = isDir ? ruleFiles(dirOrFile) : [dirOrFile];
  const rules = files.flatMap((file) => readRuleFileCached(file).map((spec) => compileRule(spec, file)));
  assertUniqueIds(rules);
  return rules;
}

function readRuleFileCached(file: string): RuleSpec[] {
  return readYamlCached(file, () => readRuleFile(file));
}

export function assertUniqueIds(rules: Rule[]): void {
  const seen = new Map<string, string>();
  for (const r of rules) {
    const prev = seen.get(r.id);
    if (prev) throw new UserError(`${r.source}: rule ${r.id}: duplicate id (also in ${prev})`);
    seen.set(r.id, r.source);
  }
}
