// What commands may use of the outside world; cli.ts builds it from `process`, tests build their own.
export interface IO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdoutIsTTY: boolean;
  readStdin: () => Promise<Buffer>;
}
