// Which texts the AST stage reads, and the parser: TypeScript's own, loaded on first use (through
// the code cache) so scans that never parse pay nothing for it, its tree converted to the ESTree
// shapes the stage reads (./estree.ts).
import { createRequire } from 'node:module';
import type * as TS from 'typescript';
import type { TSESTree } from '@typescript-eslint/typescript-estree';
import { loadTypeScriptCached, saveTypeScriptCache } from './code-cache.js';
import { toEstree } from './estree.js';

let tsModule: typeof TS | undefined;

function typescript(): typeof TS {
  if (!tsModule) {
    const require = createRequire(import.meta.url);
    tsModule = (loadTypeScriptCached(require) ?? require('typescript')) as typeof TS;
  }
  return tsModule;
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
    const ts = typescript();
    const kind = block.ts ? (block.jsx ? ts.ScriptKind.TSX : ts.ScriptKind.TS) : block.jsx ? ts.ScriptKind.JSX : ts.ScriptKind.JS;
    // The script kind, not the file name, decides TS and JSX syntax.
    const sf = ts.createSourceFile('block', block.code, { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false, kind);
    // Syntax errors: as typescript-estree does, no tree.
    if ((sf as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length) return undefined;
    const program = toEstree(ts, sf);
    saveTypeScriptCache();
    return program;
  } catch {
    return undefined;
  }
}
