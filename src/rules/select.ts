// Built-in rules + config → the rule set a scan uses: disable, override, add custom rules.
import { UserError } from '../errors.js';
import { assertUniqueIds, compileRule, loadRules } from './load.js';
import { ruleDisabled, type Config } from '../config/load.js';
import type { Rule, RuleSpec } from '../types.js';
import { GENERIC_RULES } from '../detect/generic.js';

export function selectRules(config: Config, builtin: Rule[] = loadRules()): Rule[] {
  const where = config.file ?? '.leakfix.yaml';
  const isDisabled = ruleDisabled(config);
  const known = new Set([...builtin.map((r) => r.id), ...Object.keys(GENERIC_RULES)]);
  for (const id of Object.keys(config.rules.override)) {
    if (!known.has(id)) throw new UserError(`${where}: \`rules.override.${id}\`: no rule has this id`);
  }
  const rules: Rule[] = [];
  for (const rule of builtin) {
    if (isDisabled(rule.id)) continue;
    const override = config.rules.override[rule.id];
    rules.push(override ? compileRule({ ...stripCompiled(rule), ...override } as RuleSpec, `${where} (override of ${rule.source})`) : rule);
  }
  for (const spec of config.rules.custom) rules.push(compileRule(spec, where));
  assertUniqueIds(rules);
  return rules;
}

export function stripCompiled(rule: Rule): RuleSpec {
  const { regex: _r, sticky: _y, allowRegexes: _a, pathMatch: _p, source: _s, ...spec } = rule;
  return spec;
}
