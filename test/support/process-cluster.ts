// Test support: runs kvd members as real processes on loopback (bin/kvd.js, built dist/),
// with bounded waits, and stops every process it started. Ports come from a per-file base
// so suites running in parallel do not collide.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The repo root, whether this runs from test/ (vitest) or from dist/test/ (compiled). */
function repoRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export const kvdBin = join(repoRoot(), 'bin', 'kvd.js');

export interface ProcessMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  process: ChildProcess | null;
}

export interface ClusterOptions {
  readonly size: number;
  /** First port; members use basePort+i for clients and basePort+100+i for peers. */
  readonly basePort: number;
  readonly heartbeatMs?: number;
  readonly electionMs?: number;
  readonly snapshotCount?: number;
  readonly extraArgs?: readonly string[];
  readonly env?: Record<string, string>;
}

export class ProcessCluster {
  readonly members: ProcessMember[] = [];
  readonly root: string;

  constructor(readonly options: ClusterOptions) {
    this.root = mkdtempSync(join(tmpdir(), 'kvd-cluster-'));
    for (let i = 0; i < options.size; i++) {
      this.members.push({
        name: `m${i + 1}`,
        clientUrl: `http://127.0.0.1:${options.basePort + i}`,
        peerUrl: `http://127.0.0.1:${options.basePort + 100 + i}`,
        dataDir: join(this.root, `m${i + 1}`),
        process: null,
      });
    }
  }

  /** A new member entry (not started) with the next free ports, for runtime membership. */
  addMemberEntry(name: string): ProcessMember {
    const i = this.members.length;
    const member: ProcessMember = {
      name,
      clientUrl: `http://127.0.0.1:${this.options.basePort + i}`,
      peerUrl: `http://127.0.0.1:${this.options.basePort + 100 + i}`,
      dataDir: join(this.root, name),
      process: null,
    };
    this.members.push(member);
    return member;
  }

  /** Starts a member that joins a running cluster (--initial-cluster-state existing). */
  startJoining(member: ProcessMember, clusterMembers: readonly ProcessMember[]): void {
    const initialCluster = clusterMembers.map((m) => `${m.name}=${m.peerUrl}`).join(',');
    this.start(member, ['--initial-cluster-state', 'existing', '--initial-cluster', initialCluster]);
  }

  /** The first `size` members: the ones bootstrapped together. */
  get initialCluster(): string {
    return this.members.slice(0, this.options.size).map((m) => `${m.name}=${m.peerUrl}`).join(',');
  }

  /** Extra environment for one member's next start (e.g. a protocol version under test). */
  readonly memberEnv = new Map<string, Record<string, string>>();

  logOf(member: ProcessMember): string {
    return readFileSync(join(this.root, `${member.name}.log`), 'utf8');
  }

  start(member: ProcessMember, override: readonly string[] = []): void {
    const o = this.options;
    const cluster = override.length > 0 ? [] : ['--initial-cluster', this.initialCluster];
    const args = [kvdBin, '--name', member.name, '--data-dir', member.dataDir,
      '--listen-client-urls', member.clientUrl, '--listen-peer-urls', member.peerUrl,
      ...cluster, ...override, '--log-format', 'json',
      '--heartbeat-interval', String(o.heartbeatMs ?? 50), '--election-timeout', String(o.electionMs ?? 500),
      ...(o.snapshotCount ? ['--snapshot-count', String(o.snapshotCount)] : []), ...(o.extraArgs ?? [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...o.env, ...this.memberEnv.get(member.name) } });
    const log = createWriteStream(join(this.root, `${member.name}.log`), { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    member.process = child;
  }

  startAll(): void {
    for (const member of this.members) this.start(member);
  }

  kill(member: ProcessMember, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = member.process;
    member.process = null;
    if (child === null || child.exitCode !== null) return Promise.resolve();
    return new Promise((done) => {
      child.once('exit', () => done());
      child.kill(signal);
    });
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.members.map((m) => this.kill(m)));
    if (process.env['KVD_KEEP_LOGS']) process.stderr.write(`kept cluster logs in ${this.root}\n`);
    else rmSync(this.root, { recursive: true, force: true });
  }

  /** The member that /v2/stats/self says is leader, waiting up to `timeoutMs`. */
  async waitForLeader(timeoutMs = 10_000): Promise<ProcessMember> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const member of this.members) {
        if (member.process === null) continue;
        const stats = await getJson(`${member.clientUrl}/v2/stats/self`).catch(() => null);
        if (stats?.['state'] === 'StateLeader') return member;
      }
      await sleep(50);
    }
    throw new Error(`no leader within ${timeoutMs} ms (logs in ${this.root})`);
  }

  /** Members publish their client URLs through the log after they start (as etcd does). */
  async waitForPublished(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const running = this.members.filter((m) => m.process !== null);
    while (Date.now() < deadline) {
      const via = running[0];
      const body: Record<string, unknown> = via === undefined ? {}
        : await getJson(`${via.clientUrl}/v2/members`).catch(() => ({}));
      const listed = (body['members'] ?? []) as { clientURLs: string[] }[];
      if (listed.length >= running.length && listed.every((m) => m.clientURLs.length > 0)) return;
      await sleep(100);
    }
    throw new Error(`members did not publish their client URLs within ${timeoutMs} ms (logs in ${this.root})`);
  }

  async waitForHealthy(member: ProcessMember, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const health = await getJson(`${member.clientUrl}/health`).catch(() => null);
      if (health?.['health'] === 'true') return;
      await sleep(50);
    }
    throw new Error(`${member.name} not healthy within ${timeoutMs} ms (logs in ${this.root})`);
  }
}

export async function getJson(url: string, timeoutMs = 2000): Promise<Record<string, unknown>> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return (await response.json()) as Record<string, unknown>;
}

export interface HttpAnswer { status: number; body: Record<string, unknown> }

export async function putKey(baseUrl: string, key: string, value: string, timeoutMs = 3000): Promise<HttpAnswer> {
  const response = await fetch(`${baseUrl}/v2/keys${key}`, {
    method: 'PUT', body: new URLSearchParams({ value }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function getKey(baseUrl: string, key: string, query = '', timeoutMs = 3000): Promise<HttpAnswer> {
  const response = await fetch(`${baseUrl}/v2/keys${key}${query}`, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
