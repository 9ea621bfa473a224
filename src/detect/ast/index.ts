// The AST stage: taint checks for hard-coded credentials in JS/TS (TypeScript's parser, our ESTree conversion).
export { detectAst, astStats, resetAstStats, type AstHit } from './detect.js';
export { isAstPath } from './parse.js';
export { loadSinks, sinkKeywords, nameSink, type Sink, type SinkSpec } from './sinks.js';
export { AST_RULES } from './rules.js';
