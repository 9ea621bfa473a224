// Local stand-in for a rotation Lambda. RotationLambdaARN `arn:aws:lambda:REGION:ACCOUNT:function:NAME`
// (or just NAME) names an entry in <data dir>/rotation.json:
//   { "functions": { "NAME": { "command": ["node", "/abs/rotate.mjs"], "timeoutSeconds": 60 } } }
// Each step runs the command once with the Lambda event {Step, SecretId, ClientRequestToken} as
// JSON on stdin (and in LEAKFIX_ROTATION_EVENT), plus AWS_* variables pointing the SDK at this
// store, so a rotation function written for Lambda works unchanged. Exit 0 means the step passed.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { files } from './paths.js';

export const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;

export type RotatorSpec = { command: string[]; timeoutSeconds?: number };

export function functionName(lambdaArn: string): string {
  const m = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)(:[^:]+)?$/.exec(lambdaArn);
  return m ? m[1] : lambdaArn;
}

export async function loadRotator(dataDir: string, lambdaArn: string): Promise<RotatorSpec | undefined> {
  let raw: string;
  try {
    raw = await readFile(join(dataDir, files.rotation), 'utf8');
  } catch {
    return undefined;
  }
  let cfg: { functions?: Record<string, RotatorSpec> };
  try {
    cfg = JSON.parse(raw);
  } catch {
    throw new Error(`${join(dataDir, files.rotation)} is not valid JSON`);
  }
  const spec = cfg.functions?.[functionName(lambdaArn)];
  if (!spec || !Array.isArray(spec.command) || spec.command.length === 0) return undefined;
  return spec;
}

export type StepResult = { ok: true } | { ok: false; step: string; message: string };

function runStep(spec: RotatorSpec, event: object, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    const json = JSON.stringify(event);
    const child = spawn(spec.command[0], spec.command.slice(1), {
      env: { ...env, LEAKFIX_ROTATION_EVENT: json },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), (spec.timeoutSeconds ?? 60) * 1000);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve(`could not start ${spec.command[0]}: ${e.message}`);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(undefined);
      else resolve(`${signal ? `killed by ${signal}` : `exit code ${code}`}${stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : ''}`);
    });
    child.stdin.on('error', () => {}); // the command may not read its stdin
    child.stdin.end(json);
  });
}

export async function runRotation(spec: RotatorSpec, secretArn: string, token: string, env: NodeJS.ProcessEnv): Promise<StepResult> {
  for (const step of STEPS) {
    const failure = await runStep(spec, { Step: step, SecretId: secretArn, ClientRequestToken: token }, env);
    if (failure) return { ok: false, step, message: failure };
  }
  return { ok: true };
}
