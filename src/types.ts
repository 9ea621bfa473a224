// Shared data of the pipeline: sources yield Chunks, detectors yield Findings,
// filters drop Findings, reporters turn Findings into text. Plain data only.

export type Severity = 'critical' | 'high' | 'medium' | 'low';
export type Confidence = 'high' | 'medium' | 'low';
export type DetectorKind = 'pattern' | 'generic' | 'entropy' | 'ast';

export interface CommitInfo {
  sha: string;
  author: string;
  email: string;
  date: string; // ISO 8601
  subject: string;
}

/** Where a chunk of text came from. */
export type Origin =
  | { kind: 'file' }
  | { kind: 'stdin' }
  | { kind: 'staged' }
  | { kind: 'commit'; commit: CommitInfo; blob?: string };

/** A text to scan: at least one of `text` and `bytes` is set. */
export interface Chunk {
  path: string;
  text?: string;
  origin: Origin;
  /** 1-based line numbers to report on (staged/range scans report only added lines). */
  lines?: ReadonlySet<number>;
  /** The raw bytes; the prefilter runs on them, and text is decoded only when needed. */
  bytes?: Buffer;
}

export interface Example {
  text: string;
  secret: string;
  path?: string;
}

export interface NegativeExample {
  text: string;
  why: string;
  path?: string;
}

/** A rule as written in rules/*.yaml or .leakfix.yaml. */
export interface RuleSpec {
  id: string;
  name: string;
  severity: Severity;
  confidence?: Confidence;
  keywords: string[];
  pattern: string;
  flags?: string;
  entropy?: number;
  validator?: string;
  decode?: 'base64';
  /** A shape many providers share (URL password, PEM block, JWT); provider rules on the same span win. */
  structural?: boolean;
  paths?: string[];
  /**
   * Where every match holds one of the rule's keywords (any case, found by the prefilter) or, with
   * `literals`, one of these case-sensitive literals, starting at most `within` characters into
   * the match. The pattern is then tried only there: for patterns whose keyword is frequent
   * (`password=`), written with the `i` flag, or behind a long character class
   * (`[A-Za-z0-9+/]{76}\+ASt…`), which a regex engine must try at every position of a text.
   */
  anchor?: { literals?: string[]; within: number };
  allow?: { values?: string[]; regexes?: string[] };
  references?: string[];
  remediation?: string;
  examples?: Example[];
  negative_examples?: NegativeExample[];
}

export interface Rule extends RuleSpec {
  regex: RegExp;
  /**
   * Anchored rules: the pattern after a lazy `[\s\S]{0,within}?`, sticky, so one run from
   * `within` characters before an anchor tries every start up to it.
   */
  sticky?: RegExp;
  allowRegexes: RegExp[];
  pathMatch?: (path: string) => boolean;
  /** The file the rule came from, for error messages. */
  source: string;
}

export interface FlowStep {
  line: number;
  column: number;
  name: string;
  note?: string;
}

export interface Finding {
  ruleId: string;
  ruleName: string;
  detector: DetectorKind;
  path: string;
  origin: Origin;
  /** Offsets of the secret in the chunk text (UTF-16 code units), end exclusive. */
  range: [number, number];
  /** Byte offsets of the secret in the file's UTF-8 bytes, end exclusive. */
  byteRange: [number, number];
  line: number;
  column: number; // 1-based, UTF-16 code units
  endLine: number;
  endColumn: number; // 1-based, exclusive
  secret: string;
  redacted: string;
  entropy: number;
  severity: Severity;
  confidence: Confidence;
  fingerprint: string;
  /** The first line of the secret with the secret itself redacted (safe to print). */
  lineText: string;
  remediation?: string;
  /** Set when the secret was found inside decoded base64/percent-encoded text. */
  encoding?: 'base64' | 'percent';
  flow?: FlowStep[];
  /** History scans: other commits/paths with the same secret, still-present flags. */
  history?: {
    stillPresent?: boolean;
    refs?: string[];
    occurrences?: { commit: string; path: string }[];
  };
}

export interface Edit {
  path: string;
  range: [number, number];
  text: string;
}
