/**
 * Child processes for the consumer tests: every failure says which command
 * ran, where, and the end of what it printed, so a red CI log explains itself.
 */
import { execFile } from 'node:child_process';

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** The last `lines` lines of `text`. */
function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Runs `command args` in `cwd` and resolves with its output; rejects with an
 * error naming the command, the folder, the exit code and the output's end.
 */
export function run(
  command: string,
  args: readonly string[],
  cwd: string,
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd,
        timeout: options.timeoutMs ?? 300_000,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, ...options.env },
      },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ stdout, stderr });
          return;
        }
        const code = (error as { code?: unknown }).code;
        reject(
          new Error(
            `consumer test: \`${command} ${args.join(' ')}\` failed in ${cwd} ` +
              `(exit ${String(code)}${error.killed ? ', killed after the timeout' : ''})\n` +
              `--- stdout (end) ---\n${tail(stdout)}\n--- stderr (end) ---\n${tail(stderr)}`,
          ),
        );
      },
    );
  });
}

/** `node file` in `cwd`. */
export function runNode(file: string, cwd: string): Promise<RunResult> {
  return run(process.execPath, [file], cwd, { timeoutMs: 120_000 });
}
