// Starts a real etcd 3.4 (v2 API enabled) on free loopback ports with a temporary data dir,
// waits (bounded) until it answers and its index settles, and stops it: SIGTERM, then SIGKILL
// after a grace period, then the data dir is removed.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { send, makeTarget, type HttpTarget } from './raw-http.js';

export interface EtcdProcess {
  readonly target: HttpTarget;
  readonly version: string;
  stop(): Promise<void>;
}

/** The etcd binary on PATH, or null when it is not installed. */
export function findEtcd(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v etcd'], { encoding: 'utf8' });
  const binary = found.stdout.trim();
  return found.status === 0 && binary !== '' ? binary : null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startEtcd(binary: string, startMsMax = 20_000): Promise<EtcdProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kvd-differential-etcd-'));
  const clientPort = await freePort();
  const peerPort = await freePort();
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const child = spawn(
    binary,
    [
      '--enable-v2=true',
      '--name=default',
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=default=${peerUrl}`,
      '--log-level=error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const target = makeTarget('127.0.0.1', clientPort);
  const stop = (): Promise<void> => stopEtcd(child, target, dataDir);
  try {
    await waitUntilSettled(target, child, startMsMax);
    const version = await send(target, { method: 'GET', path: '/version' });
    const etcdserver = (JSON.parse(version.body) as { etcdserver: string }).etcdserver;
    return { target, version: etcdserver, stop };
  } catch (error) {
    await stop();
    throw new Error(`etcd did not start: ${String(error)}\n${stderr}`);
  }
}

/** Waits for /health and then for X-Etcd-Index to stop moving (etcd's own startup writes). */
async function waitUntilSettled(
  target: HttpTarget,
  child: ChildProcess,
  startMsMax: number,
): Promise<void> {
  const deadline = Date.now() + startMsMax;
  let lastIndex = -1;
  let stableSince = 0;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`etcd exited with ${child.exitCode}`);
    try {
      const health = await send(target, { method: 'GET', path: '/health' }, 1000);
      const keys = await send(target, { method: 'GET', path: '/v2/keys/' }, 1000);
      const index = Number(keys.headers['x-etcd-index']);
      if (health.status === 200 && keys.status === 200 && index === lastIndex) {
        if (Date.now() - stableSince > 700) return;
      } else {
        lastIndex = index;
        stableSince = Date.now();
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`etcd not ready in ${startMsMax} ms`);
}

async function stopEtcd(child: ChildProcess, target: HttpTarget, dataDir: string): Promise<void> {
  target.agent.destroy();
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dataDir, { recursive: true, force: true });
}
