// Test support: a real etcd 3.4 cluster (v2 API enabled) on loopback, to check kvctl against
// the server it must stay compatible with. Members use basePort+i for clients and
// basePort+10+i for peers; stopAll() kills them and removes their data.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getJson, sleep } from '../support/process-cluster.js';

/** True when an `etcd` binary is on PATH (.ci/run installs etcd-server). */
export const etcdAvailable = spawnSync('etcd', ['--version'], { stdio: 'ignore' }).status === 0;

export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  process: ChildProcess | null;
}

export class EtcdCluster {
  readonly members: EtcdMember[] = [];
  readonly root = mkdtempSync(join(tmpdir(), 'kvctl-etcd-'));

  constructor(size: number, basePort: number) {
    for (let i = 0; i < size; i++) {
      this.members.push({
        name: `e${i + 1}`,
        clientUrl: `http://127.0.0.1:${basePort + i}`,
        peerUrl: `http://127.0.0.1:${basePort + 10 + i}`,
        process: null,
      });
    }
  }

  startAll(): void {
    const initialCluster = this.members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
    for (const member of this.members) {
      const child = spawn(
        'etcd',
        [
          '--name',
          member.name,
          '--data-dir',
          join(this.root, member.name),
          '--enable-v2',
          '--listen-client-urls',
          member.clientUrl,
          '--advertise-client-urls',
          member.clientUrl,
          '--listen-peer-urls',
          member.peerUrl,
          '--initial-advertise-peer-urls',
          member.peerUrl,
          '--initial-cluster',
          initialCluster,
          '--initial-cluster-state',
          'new',
          '--initial-cluster-token',
          `kvctl-test-${process.pid}`,
          '--heartbeat-interval',
          '50',
          '--election-timeout',
          '500',
          '--logger',
          'zap',
          '--log-level',
          'warn',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const log = createWriteStream(join(this.root, `${member.name}.log`));
      child.stdout?.pipe(log);
      child.stderr?.pipe(log);
      member.process = child;
    }
  }

  async waitForHealthy(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const member of this.members) {
      while (
        (await getJson(`${member.clientUrl}/health`).catch(() => null))?.['health'] !== 'true'
      ) {
        if (Date.now() > deadline)
          throw new Error(`etcd ${member.name} not healthy (logs in ${this.root})`);
        await sleep(100);
      }
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      this.members.map(
        (member) =>
          new Promise<void>((done) => {
            const child = member.process;
            member.process = null;
            if (child === null || child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGKILL');
          }),
      ),
    );
    rmSync(this.root, { recursive: true, force: true });
  }
}
