// Test support for discovery process tests: spawn kvd (or any binary) with captured output and
// an exit promise, poll members over HTTP, and a counting reverse proxy to stand in for (and
// then take away) a discovery service. Every process and server is stopped by its owner.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { kvdBin, sleep } from '../support/process-cluster.js';

export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  /** stdout + stderr so far. */
  output: string;
  stderr: string;
  readonly exited: Promise<number | null>;
}

export function spawnProc(name: string, command: string, args: readonly string[], logDir: string): Proc {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
  const proc: Proc = {
    name, child, output: '', stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  child.stdout?.on('data', (c: Buffer) => { proc.output += c.toString(); log.write(c); });
  child.stderr?.on('data', (c: Buffer) => { proc.output += c.toString(); proc.stderr += c.toString(); log.write(c); });
  void proc.exited.then(() => log.end());
  return proc;
}

export interface KvdMemberSpec {
  readonly name: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly dataDir: string;
}

export function kvdArgs(m: KvdMemberSpec, extra: readonly string[]): string[] {
  return [kvdBin, '--name', m.name, '--data-dir', m.dataDir,
    '--listen-client-urls', `http://127.0.0.1:${m.clientPort}`,
    '--listen-peer-urls', `http://127.0.0.1:${m.peerPort}`, '--log-format', 'json',
    '--heartbeat-interval', '50', '--election-timeout', '500', ...extra];
}

export function spawnKvd(m: KvdMemberSpec, extra: readonly string[], logDir: string): Proc {
  return spawnProc(m.name, process.execPath, kvdArgs(m, extra), logDir);
}

export async function stopProc(proc: Proc | null | undefined, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (proc === null || proc === undefined || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill(signal);
  const killer = setTimeout(() => proc.child.kill('SIGKILL'), 5000);
  await proc.exited;
  clearTimeout(killer);
}

/** Resolves with the exit code, or throws when the process is still running after timeoutMs. */
export async function exitWithin(proc: Proc, timeoutMs: number): Promise<number | null> {
  const timer = sleep(timeoutMs).then(() => 'timeout' as const);
  const result = await Promise.race([proc.exited, timer]);
  if (result === 'timeout') throw new Error(`${proc.name} still running after ${timeoutMs} ms; output:\n${proc.output}`);
  return result;
}

/** Polls `probe` until it is non-null; on timeout the error shows the tail of `proc`'s output. */
export async function waitFor<T>(
  what: string, probe: () => Promise<T | null>, timeoutMs: number, proc?: Proc,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null) return value;
    if (Date.now() > deadline) {
      const tail = proc === undefined ? '' : `; ${proc.name} output ends:\n${proc.output.slice(-3000)}`;
      throw new Error(`${what}: not within ${timeoutMs} ms${tail}`);
    }
    await sleep(100);
  }
}

export async function fetchText(url: string, init: RequestInit = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(3000) });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** Member names a member lists at /v2/members, once it is healthy; null otherwise. */
export async function memberNames(clientUrl: string): Promise<string[] | null> {
  const health = await fetchText(`${clientUrl}/health`);
  if (!health.text.includes('"true"')) return null;
  const members = JSON.parse((await fetchText(`${clientUrl}/v2/members`)).text) as { members: { name: string }[] };
  return members.members.map((m) => m.name).sort();
}

export function dataDirExists(dir: string): boolean {
  return existsSync(dir);
}

/** A reverse proxy to `target` that counts requests; close() drops every connection. */
export class CountingProxy {
  requests = 0;
  private readonly server: Server;

  constructor(readonly port: number, readonly target: string) {
    this.server = createServer((req, res) => {
      this.requests++;
      const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
