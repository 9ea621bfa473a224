// Rotation schedules: RotationRules.AutomaticallyAfterDays, or ScheduleExpression as
// rate(N days|hours) or an AWS-style six-field cron(min hour dom month dow year), in UTC.
import { invalidParameter } from './errors.js';
import type { RotationRules } from './state.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

type Field = { values: Set<number>; any: boolean; last?: boolean; nth?: [number, number] };
type Cron = { min: Field; hour: Field; dom: Field; month: Field; dow: Field; year: Field };

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function parseField(text: string, lo: number, hi: number, names: string[] = [], nameBase = 1): Field {
  if (text === '*' || text === '?') return { values: new Set(), any: true };
  if (text === 'L' && hi === 31) return { values: new Set(), any: false, last: true };
  const hash = /^(\w+)#([1-5])$/.exec(text);
  if (hash && hi === 7) {
    const d = parseField(hash[1], lo, hi, names, nameBase);
    return { values: new Set(), any: false, nth: [[...d.values][0], Number(hash[2])] };
  }
  const num = (s: string) => {
    const i = names.indexOf(s.toUpperCase());
    const n = i >= 0 ? i + nameBase : /^\d+$/.test(s) ? Number(s) : NaN;
    if (!(n >= lo && n <= hi)) throw new Error(`"${s}" is out of range ${lo}-${hi}`);
    return n;
  };
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!(step >= 1)) throw new Error(`bad step in "${part}"`);
    let a: number, b: number;
    if (range === '*') [a, b] = [lo, hi];
    else if (range.includes('-')) [a, b] = range.split('-').map(num) as [number, number];
    else [a, b] = [num(range), stepText === undefined ? num(range) : hi];
    for (let v = a; v <= b; v += step) values.add(v);
  }
  return { values, any: false };
}

export function parseCron(body: string): Cron {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6) throw new Error('cron() needs six fields: minutes hours day-of-month month day-of-week year');
  return {
    min: parseField(parts[0], 0, 59),
    hour: parseField(parts[1], 0, 23),
    dom: parseField(parts[2], 1, 31),
    month: parseField(parts[3], 1, 12, MONTHS),
    dow: parseField(parts[4], 1, 7, DAYS),
    year: parseField(parts[5], 1970, 2199),
  };
}

const has = (f: Field, v: number) => f.any || f.values.has(v);

function dayMatches(c: Cron, d: Date): boolean {
  const y = d.getUTCFullYear(), m = d.getUTCMonth() + 1, dom = d.getUTCDate(), dow = d.getUTCDay() + 1;
  if (!has(c.year, y) || !has(c.month, m)) return false;
  const lastDom = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const domOk = c.dom.last ? dom === lastDom : has(c.dom, dom);
  const dowOk = c.dow.nth ? dow === c.dow.nth[0] && Math.ceil(dom / 7) === c.dow.nth[1] : has(c.dow, dow);
  return domOk && dowOk;
}

// First minute strictly after `from` matching the expression, or undefined within ten years.
export function nextCron(c: Cron, from: number): number | undefined {
  const start = new Date(Math.floor(from / 60_000) * 60_000 + 60_000);
  let day = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
  for (let i = 0; i < 3660; i++, day += DAY) {
    if (!dayMatches(c, new Date(day))) continue;
    for (let h = 0; h < 24; h++) {
      if (!has(c.hour, h)) continue;
      for (let m = 0; m < 60; m++) {
        const t = day + h * HOUR + m * 60_000;
        if (t >= start.getTime() && has(c.min, m)) return t;
      }
    }
  }
  return undefined;
}

// Validates rules the way RotateSecret does; throws InvalidParameterException on bad input.
export function checkRules(r: RotationRules): void {
  if (r.AutomaticallyAfterDays !== undefined && r.ScheduleExpression !== undefined) {
    invalidParameter('You cannot specify both AutomaticallyAfterDays and ScheduleExpression in RotationRules.');
  }
  if (r.AutomaticallyAfterDays !== undefined) {
    const d = r.AutomaticallyAfterDays;
    if (!Number.isInteger(d) || d < 1 || d > 1000) invalidParameter('RotationRules.AutomaticallyAfterDays must be within 1-1000.');
  }
  if (r.Duration !== undefined && !/^([1-9]|1\d|2[0-4])h$/.test(r.Duration)) {
    invalidParameter('RotationRules.Duration must be between 1h and 24h, for example 3h.');
  }
  if (r.ScheduleExpression !== undefined) {
    const e = r.ScheduleExpression.trim();
    const rate = /^rate\(\s*(\d+)\s+(hours?|days?)\s*\)$/.exec(e);
    if (rate) {
      const n = Number(rate[1]);
      const ok = rate[2].startsWith('day') ? n >= 1 && n <= 1000 : n >= 4 && n <= 23;
      if (!ok) invalidParameter(`Invalid ScheduleExpression ${e}: rate() takes 4-23 hours or 1-1000 days.`);
      return;
    }
    const cron = /^cron\((.*)\)$/.exec(e);
    if (!cron) invalidParameter(`Invalid ScheduleExpression ${e}: use rate(N days), rate(N hours) or cron(...).`);
    try {
      const c = parseCron(cron![1]);
      if (nextCron(c, Date.now()) === undefined) throw new Error('it never fires');
    } catch (err) {
      invalidParameter(`Invalid ScheduleExpression ${e}: ${(err as Error).message}.`);
    }
  }
}

export function nextRotation(r: RotationRules | undefined, from: number): number | undefined {
  if (!r) return undefined;
  if (r.AutomaticallyAfterDays !== undefined) return from + r.AutomaticallyAfterDays * DAY;
  const e = r.ScheduleExpression?.trim();
  if (!e) return undefined;
  const rate = /^rate\(\s*(\d+)\s+(hours?|days?)\s*\)$/.exec(e);
  if (rate) return from + Number(rate[1]) * (rate[2].startsWith('day') ? DAY : HOUR);
  const cron = /^cron\((.*)\)$/.exec(e);
  return cron ? nextCron(parseCron(cron[1]), from) : undefined;
}
