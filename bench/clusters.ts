// Starts and stops the two 3-member clusters the bench compares, kvd (bin/kvd.js) and etcd 3.4
// (`etcd --enable-v2=true`), as processes on loopback with data dirs under one root (same disk,
// fsync on). Finds the leader, waits for health, kills and restarts members; every wait is bounded.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { getJson, request, sleep, stopChild, track } from './util.js';

export type Kind = 'kvd' | 'etcd';

export const kvdBin = resolve(import.meta.dirname, '../../bin/kvd.js');

export interface Member {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  readonly logPath: string;
  child: ChildProcess | null;
}

export interface ClusterOptions {
  readonly kind: Kind;
  /** Folder for the data dirs and logs of this cluster. */
  readonly root: string;
  /** Client ports are basePort+i, peer ports basePort+10+i. */
  readonly basePort: number;
  /** Applied entries between snapshots (the same for both kinds). */
  readonly snapshotCount: number;
  /** Extra node flags for kvd members (e.g. --cpu-prof); kvd only. */
  readonly nodeFlags?: (member: Member) => string[];
}

const heartbeatMs = 100;
const electionMs = 1000;

export class BenchCluster {
  readonly kind: Kind;
  readonly members: Member[] = [];
  private readonly token = `bench-${process.pid}-${Date.now()}`;

  constructor(readonly options: ClusterOptions) {
    this.kind = options.kind;
    mkdirSync(options.root, { recursive: true });
    const prefix = options.kind === 'kvd' ? 'k' : 'e';
    for (let i = 0; i < 3; i++) {
      const name = `${prefix}${i + 1}`;
      this.members.push({
        name,
        clientUrl: `http://127.0.0.1:${options.basePort + i}`,
        peerUrl: `http://127.0.0.1:${options.basePort + 10 + i}`,
        dataDir: join(options.root, name),
        logPath: join(options.root, `${name}.log`),
        child: null,
      });
    }
  }

  get initialCluster(): string {
    return this.members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
  }

  /** The pids of the members that are running. */
  pids(): number[] {
    return this.members.flatMap((m) => (m.child?.pid !== undefined && m.child.exitCode === null ? [m.child.pid] : []));
  }

  startMember(member: Member): void {
    const { command, args } = this.commandFor(member);
    const child = track(spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
    const log = createWriteStream(member.logPath, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    member.child = child;
  }

  async start(timeoutMs = 30_000): Promise<void> {
    await assertPortsFree(this.members.flatMap((m) => [m.clientUrl, m.peerUrl]));
    for (const member of this.members) this.startMember(member);
    await this.waitReady(timeoutMs);
  }

  /** Waits until there is a leader and every running member answers /health 200. */
  async waitReady(timeoutMs = 30_000): Promise<Member> {
    const deadline = Date.now() + timeoutMs;
    const leader = await this.leader(timeoutMs);
    for (const member of this.members) {
      if (member.child === null) continue;
      await this.waitHealthy(member, Math.max(1000, deadline - Date.now()));
    }
    return leader;
  }

  async waitHealthy(member: Member, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.assertRunning(member);
      const answer = await request(`${member.clientUrl}/health`, { timeoutMs: 1000 }).catch(() => null);
      if (answer?.status === 200) return;
      await sleep(20);
    }
    throw new Error(`${this.kind} ${member.name} not healthy within ${timeoutMs} ms (log: ${member.logPath})`);
  }

  /** The member whose /v2/stats/self says StateLeader, waiting up to `timeoutMs`. */
  async leader(timeoutMs = 15_000): Promise<Member> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const member of this.members) {
        if (member.child === null) continue;
        this.assertRunning(member);
        const stats = await getJson(`${member.clientUrl}/v2/stats/self`, 1000);
        if (stats?.['state'] === 'StateLeader') return member;
      }
      await sleep(50);
    }
    throw new Error(`${this.kind}: no leader within ${timeoutMs} ms (logs under ${this.options.root})`);
  }

  async follower(): Promise<Member> {
    const leader = await this.leader();
    return this.members.find((m) => m !== leader && m.child !== null)!;
  }

  /** Members whose process has exited on its own (a crash during a workload). */
  crashed(): Member[] {
    return this.members.filter((m) => m.child !== null && (m.child.exitCode !== null || m.child.signalCode !== null));
  }

  async kill(member: Member, signal: NodeJS.Signals = 'SIGKILL', graceMs = 5000): Promise<void> {
    const child = member.child;
    member.child = null;
    if (child !== null) await stopChild(child, signal, graceMs);
  }

  /** Stops every member: SIGKILL by default, or `signal` with a bounded grace period. */
  async stop(signal: NodeJS.Signals = 'SIGKILL', graceMs = 5000): Promise<void> {
    await Promise.all(this.members.map((m) => this.kill(m, signal, graceMs)));
  }

  private assertRunning(member: Member): void {
    const child = member.child;
    if (child !== null && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`${this.kind} ${member.name} exited (code ${child.exitCode}, signal ${child.signalCode}; log: ${member.logPath})`);
    }
  }

  private commandFor(member: Member): { command: string; args: string[] } {
    const o = this.options;
    if (o.kind === 'kvd') {
      return {
        command: process.execPath,
        args: [...(o.nodeFlags?.(member) ?? []), kvdBin,
          '--name', member.name, '--data-dir', member.dataDir,
          '--listen-client-urls', member.clientUrl, '--listen-peer-urls', member.peerUrl,
          '--initial-cluster', this.initialCluster, '--initial-cluster-token', this.token,
          '--heartbeat-interval', String(heartbeatMs), '--election-timeout', String(electionMs),
          '--snapshot-count', String(o.snapshotCount), '--log-format', 'json', '--log-level', 'warn'],
      };
    }
    return {
      command: 'etcd',
      args: ['--name', member.name, '--data-dir', member.dataDir,
        '--listen-client-urls', member.clientUrl, '--advertise-client-urls', member.clientUrl,
        '--listen-peer-urls', member.peerUrl, '--initial-advertise-peer-urls', member.peerUrl,
        '--initial-cluster', this.initialCluster, '--initial-cluster-state', 'new',
        '--initial-cluster-token', this.token, '--enable-v2=true',
        '--heartbeat-interval', String(heartbeatMs), '--election-timeout', String(electionMs),
        '--snapshot-count', String(o.snapshotCount), '--logger', 'zap', '--log-level', 'warn'],
    };
  }
}

/** Throws if any of the URLs' ports is already taken (another run or a test suite). */
async function assertPortsFree(urls: readonly string[]): Promise<void> {
  for (const url of urls) {
    const port = Number(new URL(url).port);
    const free = await new Promise<boolean>((done) => {
      const server = net.createServer();
      server.once('error', () => done(false));
      server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
    });
    if (!free) throw new Error(`port ${port} is in use: pick another --base-port`);
  }
}
