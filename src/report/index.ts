import type { Finding } from '../types.js';
import type { ReportContext } from './context.js';
import { toText } from './text.js';
import { toJson } from './json.js';
import { toSarif } from './sarif.js';
import { toGithub } from './github.js';
import { toHtml } from './html.js';
import { toSummary } from './summary.js';

export type Reporter = (findings: Finding[], ctx: ReportContext) => string;

export const reporters: Record<string, Reporter> = {
  text: toText,
  json: toJson,
  sarif: toSarif,
  github: toGithub,
  html: toHtml,
  summary: toSummary,
};
