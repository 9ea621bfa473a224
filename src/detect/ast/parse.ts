// Which texts the AST stage reads, and the parser itself, loaded on first use so scans that
// never parse pay nothing for typescript-estree (and TypeScript behind it).
import { createRequire } from 'node:module';
import type { TSESTree } from '@typescript-eslint/typescript-estree';
import { preloadTypeScript, saveTypeScriptCache } from './code-cache.js';

type ParseFn = typeof import('@typescript-eslint/typescript-estree').parse;
let parseFn: ParseFn | undefined;

function parser(): ParseFn {
  if (!parseFn) {
    const require = createRequire(import.meta.url);
    try {
      preloadTypeScript(createRequire(require.resolve('@typescript-eslint/typescript-estree')));
    } catch {
      /* the action bundle serves typescript-estree from the bundle: no code cache there */
    }
    parseFn = (require('@typescript-eslint/typescript-estree') as typeof import('@typescript-eslint/typescript-estree')).parse;
  }
  return parseFn;
}

const SCRIPT_EXT = /\.(?:[cm]?[jt]s|jsx|tsx)$/i;
const SFC_EXT = /\.(?:vue|svelte)$/i;

/** JS/TS-family files, and single-file components whose `<script>` blocks hold JS/TS. */
export function isAstPath(path: string): boolean {
  return SCRIPT_EXT.test(path) || SFC_EXT.test(path);
}

/** A piece of a file to parse: its code and where it starts in the file text. */
export interface ScriptBlock {
  code: string;
  offset: number;
  ts: boolean;
  jsx: boolean;
}

const SCRIPT_TAG = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;

export function scriptBlocks(text: string, path: string): ScriptBlock[] {
  if (!SFC_EXT.test(path)) {
    const ts = /\.[cm]?tsx?$/i.test(path);
    // `<T>x` casts make JSX ambiguous in .ts/.mts/.cts, so only .tsx and JS files get JSX.
    return [{ code: text, offset: 0, ts, jsx: !ts || /\.tsx$/i.test(path) }];
  }
  const blocks: ScriptBlock[] = [];
  for (const m of text.matchAll(SCRIPT_TAG)) {
    const attrs = m[1];
    if (/\btype\s*=\s*["']?(?!module|text\/javascript)/i.test(attrs)) continue; // JSON, templates
    const ts = /\blang\s*=\s*["']?ts/i.test(attrs);
    blocks.push({ code: m[2], offset: m.index! + m[0].indexOf('>') + 1, ts, jsx: /\blang\s*=\s*["']?[jt]sx/i.test(attrs) });
  }
  return blocks;
}

/** The program of one block, or undefined when it does not parse (the caller moves on). */
export function parseBlock(block: ScriptBlock): TSESTree.Program | undefined {
  try {
    const parse = parser();
    const program = parse(block.code, {
      range: true,
      loc: true, // with loc or range off, typescript-estree walks the whole tree again to delete them
      comment: false,
      tokens: false,
      jsx: block.jsx,
      jsDocParsingMode: 'none',
      filePath: block.ts ? (block.jsx ? 'file.tsx' : 'file.ts') : block.jsx ? 'file.jsx' : 'file.js',
      loggerFn: false,
    });
    saveTypeScriptCache();
    return program;
  } catch {
    return undefined;
  }
}
