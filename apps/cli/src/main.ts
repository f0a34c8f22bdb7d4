#!/usr/bin/env node
/**
 * The `contrastive` command. Image decoding (sharp) runs in libuv's thread
 * pool, sized by UV_THREADPOOL_SIZE when the pool starts, which in an ES
 * module program is before its first line. So without it in the environment,
 * the command restarts itself once with the pool sized to the machine (the
 * cores, at least libuv's default 4; `decodeThreadPoolEnv` of
 * @contrastive/data), passing signals on and exiting as the restarted one does.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

if (process.env['UV_THREADPOOL_SIZE'] === undefined) {
  const env = { ...process.env, UV_THREADPOOL_SIZE: String(Math.min(Math.max(availableParallelism(), 4), 1024)) };
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env });
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, forward);
  child.on('exit', (code, signal) => {
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, forward);
    if (signal !== null) process.kill(process.pid, signal);
    else process.exitCode = code ?? 1;
  });
} else {
  const { runCli } = await import('./cli');
  process.exitCode = await runCli(process.argv.slice(2));
}
