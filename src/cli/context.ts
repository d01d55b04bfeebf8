// What a kvctl command gets to work with: the global options parsed once (endpoints, output,
// timeout), a client built on first use, the output, the environment, a signal that aborts on
// SIGINT/SIGTERM, and the exit code to end with. Imports client, output, duration, exit-codes.
import type { Command } from 'commander';
import { KvClient, parseEndpoints } from './client.js';
import { parseDurationMs } from './duration.js';
import { Output, parseOutputFormat, type Writer } from './output.js';

export interface GlobalOptions {
  readonly endpoints: string;
  readonly output: string;
  readonly timeout: string;
}

/** The process around a run: streams, environment, and the stop signal (SIGINT/SIGTERM). */
export interface CliIo {
  readonly stdout: Writer;
  readonly stderr: Writer;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborts when the user asks kvctl to stop; the reason is the signal's name. */
  readonly stop: AbortSignal;
}

export class CliContext {
  readonly out: Output;
  readonly timeoutMs: number;
  readonly endpoints: readonly string[];
  /** Set by commands that end with another code than 0 without failing (lock, verify). */
  exitCode = 0;
  private built: KvClient | null = null;

  constructor(
    options: GlobalOptions,
    readonly io: CliIo,
  ) {
    this.out = new Output(parseOutputFormat(options.output), io.stdout, io.stderr);
    this.timeoutMs = parseDurationMs(options.timeout, '--timeout');
    this.endpoints = parseEndpoints(options.endpoints);
  }

  get client(): KvClient {
    this.built ??= new KvClient({ endpoints: this.endpoints, timeoutMs: this.timeoutMs });
    return this.built;
  }

  get stop(): AbortSignal {
    return this.io.stop;
  }
}

/** How each commands/<verb>.ts adds itself: it gets the context when its action runs. */
export type ContextOf = (command: Command) => CliContext;

/** Resolves when `signal` aborts; never rejects. */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}

/** Waits `ms`, or less when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
