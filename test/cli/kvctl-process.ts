// Test support for kvctl: runs `node bin/kvctl.js ...` as a real process with a bounded time
// (killed and reported when over), collects stdout/stderr and the exit code, and keeps track
// of every process it started so a suite can stop them all in afterAll.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { sleep } from '../support/process-cluster.js';

export const kvctlBin = resolve(import.meta.dirname, '../../bin/kvctl.js');

export interface KvctlResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface KvctlOptions {
  /** KVCTL_ENDPOINTS for the process (comma-separated); not set when undefined. */
  readonly endpoints?: string;
  readonly env?: Record<string, string>;
  readonly cwd?: string;
}

const running = new Set<ChildProcess>();

/** A kvctl process still running: its output so far, and ways to wait for it and stop it. */
export class KvctlProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<KvctlResult>;

  constructor(
    readonly args: readonly string[],
    options: KvctlOptions = {},
  ) {
    const env: Record<string, string | undefined> = { ...process.env, ...options.env };
    delete env['KVCTL_ENDPOINTS'];
    if (options.endpoints !== undefined) env['KVCTL_ENDPOINTS'] = options.endpoints;
    this.child = spawn(process.execPath, [kvctlBin, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    });
    running.add(this.child);
    this.child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString('utf8')));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
    this.exited = new Promise((done) => {
      this.child.once('close', (code, signal) => {
        running.delete(this.child);
        done({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  private readonly child: ChildProcess;

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Waits until stdout satisfies `ready`; throws (with the output) after `timeoutMs`. */
  async waitForStdout(ready: (stdout: string) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready(this.stdout)) {
      if (Date.now() > deadline) {
        throw new Error(
          `kvctl ${this.args.join(' ')}: output not ready in ${timeoutMs} ms\n` +
            `stdout: ${this.stdout}\nstderr: ${this.stderr}`,
        );
      }
      await sleep(25);
    }
  }

  signal(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  /** Waits for the exit; SIGKILLs and throws when it takes longer than `timeoutMs`. */
  async result(timeoutMs = 20_000): Promise<KvctlResult> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((done) => (timer = setTimeout(() => done('late'), timeoutMs)));
    const outcome = await Promise.race([this.exited, late]);
    clearTimeout(timer);
    if (outcome === 'late') {
      this.signal('SIGKILL');
      throw new Error(
        `kvctl ${this.args.join(' ')}: still running after ${timeoutMs} ms\n` +
          `stdout: ${this.stdout}\nstderr: ${this.stderr}`,
      );
    }
    return outcome;
  }
}

/** Runs kvctl to completion within `timeoutMs`. */
export function kvctl(
  args: readonly string[],
  options: KvctlOptions = {},
  timeoutMs = 20_000,
): Promise<KvctlResult> {
  return new KvctlProcess(args, options).result(timeoutMs);
}

/** SIGKILLs every kvctl process a test left running; for afterAll. */
export async function stopAllKvctl(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('close', () => done());
          child.kill('SIGKILL');
        }),
    ),
  );
}

/** Comma-separated client URLs of cluster members, for KVCTL_ENDPOINTS. */
export function endpointsOf(members: readonly { clientUrl: string }[]): string {
  return members.map((m) => m.clientUrl).join(',');
}
