// argv → options → command → exit code. The only module that touches `process`.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from './errors.js';
import { VERSION } from './version.js';
import type { IO } from './io.js';

export const HELP = `leakfix ${VERSION} — find hard-coded credentials and move them into AWS Secrets Manager

Usage:
  leakfix scan [path...]            scan files and directories (default .); "-" reads stdin
  leakfix scan --history [repo]     scan every commit of a git repository
  leakfix scan --staged             scan the staged changes (the pre-commit hook)
  leakfix scan --range BASE..HEAD   scan the lines a range of commits adds (pull requests)
  leakfix hook install|uninstall    add/remove leakfix in .git/hooks/pre-commit (chains existing hooks)
  leakfix rules list                list the rules in use
  leakfix rules check [dir]         validate rule files and run their examples
  leakfix baseline create [path]    record current findings so later scans report only new ones
  leakfix fix [path]                move found secrets into Secrets Manager, rewrite code to read them
  leakfix fix --undo                restore the files the last fix changed
  leakfix run [--store S] -- CMD    run CMD with the secrets .leakfix/secrets.json names in its env
  leakfix store serve [--port N] [--host H] [--data DIR] [--region R] [--rotation-check SECONDS]
                                    run the local Secrets Manager-compatible store
  leakfix store credentials [--data DIR] [--json]
                                    print the credentials the local store accepts
  leakfix help | --help | --version

Scan options:
  -f, --format FORMAT     text (default), json, sarif, github, html or summary
  -o, --output FILE       write the report to FILE (exit code still reflects findings)
  -c, --config FILE       config file (default: .leakfix.yaml in the scanned directory)
  -b, --baseline FILE     report only findings that are not in this baseline
      --show-secrets      print secrets in full (they are redacted by default)
      --max-file-size N   skip files larger than N (bytes or e.g. 5MB; default 10MB)
      --no-ignore         do not honour .gitignore and .leakfixignore
      --rules IDS         run only these rule ids (comma-separated, globs allowed)
      --include GLOB      scan only paths matching GLOB (repeatable)
      --exclude GLOB      skip paths matching GLOB (repeatable)
      --stdin-name PATH   path to report for "-" (stdin)
  -q, --quiet             print nothing when there are no findings; no notes or summary
      --threads N         threads to scan with (default: one per core; 1 = no workers)

Git scan options:
      --history           scan all commits reachable from any ref; one finding per secret and path
      --staged            scan the index versions of staged files; report only added lines
      --range BASE..HEAD  scan lines added by the commits in the range (all-zero BASE: new branch)
      --since-commit SHA  shorthand for --range SHA..HEAD
      --branch NAME       (history) walk only this branch or commit (repeatable)
      --since DATE        (history) only commits after DATE
      --until DATE        (history) only commits before DATE
      --max-commits N     (history) at most N commits, newest first
      --all-occurrences   (history, range) list every commit and path where a secret appears

Rules options:
      --format json       (rules list) machine-readable list

Baseline options:
  -o, --output FILE       baseline file to write (default .leakfix-baseline.json)

Fix options:
      --dry-run           print the plan and a redacted diff; change nothing
      --store local|aws   the embedded local store (default without AWS configuration) or AWS
      --region R          AWS region (local store: its region label)
      --kms-key-id K      KMS key for new secrets
      --prefix P          secret names are P/<repo>/<NAME> (default leakfix)
      --tag k=v           extra tag on every secret (repeatable)
      --replica-region R  replicate new secrets to R (repeatable; AWS only)
      --style env|sdk     read values via process.env (default) or an awaited SDK helper
      --update-existing   write a new version when a secret exists with another value
      --allow-dirty       also rewrite files with uncommitted changes
      --staged            fix only staged files and stage the result
      --undo              restore the files of the last fix (secrets stay stored)

Exit codes: 0 no findings, 1 findings, 2 error.
`;

const SCAN_OPTIONS: ParseArgsConfig['options'] = {
  format: { type: 'string', short: 'f', default: 'text' },
  output: { type: 'string', short: 'o' },
  config: { type: 'string', short: 'c' },
  baseline: { type: 'string', short: 'b' },
  'show-secrets': { type: 'boolean', default: false },
  'max-file-size': { type: 'string' },
  'no-ignore': { type: 'boolean', default: false },
  rules: { type: 'string' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  'stdin-name': { type: 'string' },
  quiet: { type: 'boolean', short: 'q', default: false },
  threads: { type: 'string' },
  history: { type: 'boolean', default: false },
  staged: { type: 'boolean', default: false },
  range: { type: 'string' },
  'since-commit': { type: 'string' },
  branch: { type: 'string', multiple: true },
  since: { type: 'string' },
  until: { type: 'string' },
  'max-commits': { type: 'string' },
  'all-occurrences': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: SCAN_OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UserError(`${(err as Error).message.split('\n')[0]} (see leakfix --help)`);
  }
}

function scanFlags(argv: string[]) {
  const { values: v, positionals } = parse(argv);
  // parseArgs types values loosely when the options object is not a literal; SCAN_OPTIONS fixes the shapes.
  const values = v as Record<'format', string> &
    Record<'output' | 'config' | 'baseline' | 'max-file-size' | 'rules' | 'threads' | 'stdin-name', string | undefined> &
    Record<'show-secrets' | 'no-ignore' | 'quiet' | 'help', boolean> &
    Record<'include' | 'exclude', string[] | undefined>;
  const git = v as Record<'history' | 'staged' | 'all-occurrences', boolean> &
    Record<'range' | 'since-commit' | 'since' | 'until' | 'max-commits', string | undefined> &
    Record<'branch', string[] | undefined>;
  return {
    help: values.help,
    flags: {
      paths: positionals.length ? positionals : ['.'],
      format: values.format,
      output: values.output,
      config: values.config,
      baseline: values.baseline,
      showSecrets: values['show-secrets'],
      maxFileSize: values['max-file-size'],
      noIgnore: values['no-ignore'],
      rules: values.rules,
      include: values.include ?? [],
      exclude: values.exclude ?? [],
      quiet: values.quiet,
      threads: values.threads,
      stdinName: values['stdin-name'],
      history: git.history,
      staged: git.staged,
      range: git.range,
      sinceCommit: git['since-commit'],
      branch: git.branch ?? [],
      since: git.since,
      until: git.until,
      maxCommits: git['max-commits'],
      allOccurrences: git['all-occurrences'],
    },
  };
}

export async function main(argv: string[], io: IO): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.stdout(HELP);
      return 0;
    case '--version':
    case '-V':
    case 'version':
      io.stdout(`${VERSION}\n`);
      return 0;
    case 'scan': {
      const { help, flags } = scanFlags(rest);
      if (help) {
        io.stdout(HELP);
        return 0;
      }
      if (flags.history || flags.staged || flags.range !== undefined || flags.sinceCommit !== undefined) {
        const { gitScanCommand } = await import('./commands/git-scan.js');
        return gitScanCommand(flags, io);
      }
      const { scanCommand } = await import('./commands/scan.js');
      return scanCommand(flags, io);
    }
    case 'rules': {
      const [sub, ...args] = rest;
      const { rulesCommand } = await import('./commands/rules.js');
      return rulesCommand(sub, args, io);
    }
    case 'baseline': {
      const [sub, ...args] = rest;
      if (sub !== 'create') throw new UserError(`unknown baseline command ${JSON.stringify(sub ?? '')} (use: leakfix baseline create [path] -o FILE)`);
      const { flags } = scanFlags(args);
      const { baselineCreateCommand } = await import('./commands/scan.js');
      return baselineCreateCommand(flags, io);
    }
    case 'hook': {
      const { hookCommand } = await import('./commands/hook.js');
      return hookCommand(rest, io);
    }
    case 'store': {
      const { storeCommand, stopServe } = await import('./store/command.js');
      // `store serve` runs until a signal; closing lets in-flight writes finish their fsync.
      const stop = () => void stopServe();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        return await storeCommand(rest, { stdout: io.stdout, stderr: io.stderr, env: io.env });
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    }
    case 'fix': {
      const { parseFixArgs, fixCommand } = await import('./commands/fix.js');
      const { help, flags } = parseFixArgs(rest);
      if (help) {
        io.stdout(HELP);
        return 0;
      }
      // Tests kill the process at a named step to prove a half-done fix is recoverable.
      const crashAt = process.env.LEAKFIX_TEST_CRASH_AFTER;
      return fixCommand(flags, io, { afterStep: (step) => void (step === crashAt && process.kill(process.pid, 'SIGKILL')) });
    }
    case 'run': {
      const { runCommand } = await import('./commands/run.js');
      // The child gets the signals we get; if it dies of one, so do we (as a shell would report).
      let child: import('node:child_process').ChildProcess | undefined;
      const relay = (sig: NodeJS.Signals) => void child?.kill(sig);
      const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
      for (const sig of signals) process.on(sig, relay);
      try {
        const result = await runCommand(rest, io, (c) => (child = c));
        if (result.signal === undefined) return result.code;
        for (const sig of signals) process.off(sig, relay);
        process.kill(process.pid, result.signal);
        const { signalExitCode } = await import('./commands/run.js');
        return signalExitCode(result.signal); // a signal we cannot die of (e.g. ignored)
      } finally {
        for (const sig of signals) process.off(sig, relay);
      }
    }
    default:
      throw new UserError(`unknown command ${JSON.stringify(command)} (see leakfix --help)`);
  }
}

function readStdin(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    process.stdin.on('data', (d: Buffer) => parts.push(d));
    process.stdin.on('end', () => resolve(Buffer.concat(parts)));
    process.stdin.on('error', reject);
  });
}

export async function run(): Promise<void> {
  const io: IO = {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    readStdin,
  };
  let code: number;
  try {
    code = await main(process.argv.slice(2), io);
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`leakfix: error: ${err.message}\n`);
    } else {
      process.stderr.write(`leakfix: internal error: ${(err as Error)?.stack ?? err}\n`);
    }
    code = 2;
  }
  process.exitCode = code;
}
