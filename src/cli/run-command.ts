// Runs an operator's command for exec-watch and lock: inherits stdout/stderr, gets extra
// environment variables, and receives SIGTERM (or the signal kvctl got) when `stop` aborts.
// Resolves with the exit code a shell would report (128 + signal number when killed).
// Imports exit-codes only.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { UsageError } from './exit-codes.js';

export interface CommandRun {
  /** Resolves with the command's exit code; never rejects once the command started. */
  readonly done: Promise<number>;
  /** Sends `signal` to the command if it still runs. */
  kill(signal: NodeJS.Signals): void;
}

export function startCommand(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  stop?: AbortSignal,
): Promise<CommandRun> {
  const [file, ...args] = argv;
  if (file === undefined) throw new UsageError('no command given (put it after --)');
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...env } });
    const kill = (signal: NodeJS.Signals): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const onStop = (): void => kill(stop?.reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
    const done = new Promise<number>((resolveDone) => {
      child.once('exit', (code, signal) => {
        stop?.removeEventListener('abort', onStop);
        resolveDone(code ?? 128 + (signal !== null ? (constants.signals[signal] ?? 0) : 0));
      });
    });
    child.once('error', (error) => reject(new UsageError(`cannot run ${file}: ${error.message}`)));
    child.once('spawn', () => {
      if (stop?.aborted) onStop();
      else stop?.addEventListener('abort', onStop, { once: true });
      resolve({ done, kill });
    });
  });
}
