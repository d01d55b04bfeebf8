// Shared bench helpers: bounded sleeps and HTTP calls, /proc readers (per-process CPU and RSS,
// machine-wide CPU, load average), percentiles and medians, and the registry of every child
// process the bench starts so that all of them are killed on exit, even after an error.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects after `ms` unless `promise` settles first. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---- child processes -------------------------------------------------------------------------

const children = new Set<ChildProcess>();

/** Remembers a child so that `killAllChildren` (run on every exit path) stops it. */
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function killAllChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
}

/** Sends `signal`, waits up to `graceMs` for the exit, then SIGKILLs and waits (bounded). */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL', graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  try {
    await withTimeout(exited, graceMs, `pid ${child.pid} exit after ${signal}`);
  } catch {
    child.kill('SIGKILL');
    await withTimeout(exited, 5000, `pid ${child.pid} exit after SIGKILL`).catch(() => undefined);
  }
}

// ---- /proc -----------------------------------------------------------------------------------

let clockTicks = 0;
export function clkTck(): number {
  if (clockTicks === 0) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU seconds (user + system, all threads) a live process has used, or null if it is gone. */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14, stime field 15.
    return (Number(fields[11]) + Number(fields[12])) / clkTck();
  } catch {
    return null;
  }
}

/** Resident set size in MiB from /proc/<pid>/status, or null if the process is gone. */
export function rssMiB(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export interface MachineCpu { busy: number; total: number }

/** Machine-wide CPU seconds (busy and total) since boot, from /proc/stat. */
export function machineCpu(): MachineCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: (total - idle) / clkTck(), total: total / clkTck() };
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** Measures CPU use of some pids and of the whole machine over an interval. */
export class CpuMeter {
  private readonly startPids: Map<number, number>;
  private readonly startMachine: MachineCpu;
  private readonly startMs = performance.now();

  constructor(private readonly pids: readonly number[]) {
    this.startPids = new Map(pids.map((pid) => [pid, processCpuSeconds(pid) ?? 0]));
    this.startMachine = machineCpu();
  }

  /** CPU seconds of the pids, machine busy seconds and wall seconds since construction. */
  read(): { pidsCpuS: number; machineBusyS: number; wallS: number } {
    let pidsCpuS = 0;
    for (const pid of this.pids) {
      const now = processCpuSeconds(pid);
      if (now !== null) pidsCpuS += now - (this.startPids.get(pid) ?? 0);
    }
    return {
      pidsCpuS,
      machineBusyS: machineCpu().busy - this.startMachine.busy,
      wallS: (performance.now() - this.startMs) / 1000,
    };
  }
}

// ---- statistics ------------------------------------------------------------------------------

/** The p-th percentile (0..100) of an ascending array (nearest rank), NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

// ---- HTTP ------------------------------------------------------------------------------------

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  method?: string;
  form?: Record<string, string>;
  timeoutMs?: number;
  agent?: http.Agent;
}

/** One HTTP request with a hard timeout (the whole exchange, body included). */
export function request(url: string, options: RequestOptions = {}): Promise<HttpAnswer> {
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  const timeoutMs = options.timeoutMs ?? 3000;
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: options.method ?? 'GET',
      agent: options.agent,
      headers: body === undefined ? {} : {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(body),
      },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${url}`)), timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(body);
  });
}

export async function getJson(url: string, timeoutMs = 2000): Promise<Record<string, unknown> | null> {
  try {
    const answer = await request(url, { timeoutMs });
    return JSON.parse(answer.body) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** A 256-byte value (the bench's value size); `tag` goes first, the rest is padding. */
export function value256(tag = ''): string {
  return (tag + 'v'.repeat(256)).slice(0, 256);
}

export function formatMs(ms: number, digits = 2): string {
  return Number.isFinite(ms) ? ms.toFixed(digits) : 'n/a';
}

/** The repository root (this file runs as dist/bench/util.js). */
export const repoRoot = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
