// The AST stage: typescript-estree taint checks for hard-coded credentials in JS/TS.
export { detectAst, astStats, resetAstStats, type AstHit } from './detect.js';
export { isAstPath } from './parse.js';
export { loadSinks, sinkKeywords, nameSink, type Sink, type SinkSpec } from './sinks.js';
export { AST_RULES } from './rules.js';
