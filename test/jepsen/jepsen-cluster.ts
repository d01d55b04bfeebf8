// A kvd cluster of real processes for the Jepsen-style tests: each member on its own loopback
// address (127.a.b.i) with every peer link routed through the fault proxy (members advertise the
// proxy's port, listen on another). Starts, kills (-9), pauses (SIGSTOP), resumes and restarts
// members, appends their output to per-member logs, and kills every child when this process exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';
import { memberIdFor } from '../../src/server/identity.js';
import { FaultNetwork } from './fault-proxy.js';
import { rejoinMember } from './membership.js';
import { getJson } from './v2-client.js';

/**
 * The kvd entry module: the compiled server next to this compiled file (so a build in another
 * outDir tests itself), else bin/kvd.js (under vitest, which runs test/ from source).
 */
function kvdEntry(): { module: string } | { bin: string } {
  const compiled = resolve(import.meta.dirname, '../../src/server/kvd.js');
  if (import.meta.filename.endsWith('.js') && existsSync(compiled)) return { module: compiled };
  return { bin: resolve(import.meta.dirname, '../../bin/kvd.js') };
}

/** A script that runs kvd's main() like bin/kvd.js does, written into the run folder. */
function kvdScript(root: string): string {
  const entry = kvdEntry();
  if ('bin' in entry) return entry.bin;
  const path = join(root, 'kvd-runner.mjs');
  const url = JSON.stringify(pathToFileURL(entry.module).href);
  writeFileSync(path, [
    `import { main } from ${url};`,
    'main(process.argv.slice(2)).catch((error) => {',
    '  const text = error instanceof Error ? error.stack : String(error);',
    '  process.stderr.write(`kvd: ${text}\\n`);',
    '  process.exit(1);',
    '});',
    '',
  ].join('\n'));
  return path;
}

const clientPort = 2379;
const peerListenPort = 2380;
const peerProxyPort = 2381;
const clusterToken = 'kvd-jepsen';
/** Slots tried before giving up on finding free loopback addresses. */
const slotAttemptsMax = 20;
/** How long a SIGTERM may take before SIGKILL follows. */
const terminateMsMax = 5000;

export interface ClusterSettings {
  readonly size: number;
  readonly root: string;
  readonly heartbeatMs: number;
  readonly electionMs: number;
  readonly snapshotCount: number;
  /** KVD_TEST_BUGS for every member ('' for none). */
  readonly bugs: string;
  /** KVD_TEST_FSYNC_DELAY_MS per member (one value: all of them; 0: a normal disk). */
  readonly fsyncDelaysMs: readonly number[];
}

export class JepsenNode {
  process: ChildProcess | null = null;
  paused = false;
  /** The fsync delay this incarnation runs with (the slow-disk fault raises it). */
  fsyncDelayMs: number;
  starts = 0;
  /** Set while the harness stops this member, so its exit is not taken for a crash. */
  stopping = false;
  /** Set while it is removed from the membership (stopped, data wiped). */
  removed = false;
  /** It joined after the cluster formed: an empty data dir starts as a joining member. */
  joinsExisting = false;

  constructor(
    readonly name: string,
    readonly host: string,
    readonly logPath: string,
    readonly dataDir: string,
    /** The fsync delay it runs with when no fault slows its disk. */
    readonly normalFsyncDelayMs: number,
  ) {
    this.fsyncDelayMs = normalFsyncDelayMs;
  }

  get clientUrl(): string {
    return `http://${this.host}:${clientPort}`;
  }

  get advertisedPeerUrl(): string {
    return `http://${this.host}:${peerProxyPort}`;
  }

  get id(): string {
    return memberIdFor([this.advertisedPeerUrl], clusterToken);
  }

  get running(): boolean {
    return this.process !== null;
  }
}

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Kills every kvd this process started when it exits, however it exits. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killLiveMembers);
}

/** SIGKILLs every kvd process this process started that is still alive; returns how many. */
export function killLiveMembers(): number {
  const count = liveChildren.size;
  for (const child of liveChildren) child.kill('SIGKILL');
  return count;
}

export interface MemberExit {
  readonly name: string;
  readonly code: number | null;
  readonly signal: string | null;
  readonly at: string;
}

export class JepsenCluster {
  /** Members that exited without the harness stopping them (a kvd crash). */
  readonly unexpectedExits: MemberExit[] = [];

  private readonly script: string;

  private constructor(
    readonly settings: ClusterSettings,
    readonly nodes: readonly JepsenNode[],
    readonly network: FaultNetwork,
  ) {
    this.script = kvdScript(settings.root);
  }

  /** Finds free loopback addresses (a random slot), starts the proxies; members stay down. */
  static async create(settings: ClusterSettings): Promise<JepsenCluster> {
    installExitHook();
    let lastError: unknown = null;
    for (let attempt = 0; attempt < slotAttemptsMax; attempt++) {
      const a = 100 + Math.floor(Math.random() * 150);
      const b = Math.floor(Math.random() * 250);
      const nodes = Array.from({ length: settings.size }, (_, i) => {
        const name = `n${i + 1}`;
        const dataDir = join(settings.root, 'data', name);
        const delays = settings.fsyncDelaysMs;
        const fsyncMs = delays.length === 1 ? (delays[0] as number) : (delays[i] ?? 0);
        const logPath = join(settings.root, `${name}.log`);
        return new JepsenNode(name, `127.${a}.${b}.${i + 1}`, logPath, dataDir, fsyncMs);
      });
      const network = new FaultNetwork(nodes.map((n) => ({
        name: n.name, id: n.id, listenHost: n.host, listenPort: peerProxyPort,
        targetHost: n.host, targetPort: peerListenPort,
      })));
      try {
        await network.start();
        return new JepsenCluster(settings, nodes, network);
      } catch (error) {
        lastError = error;
      }
    }
    throw new Error(`no free loopback slot after ${slotAttemptsMax} tries: ${String(lastError)}`);
  }

  node(name: string): JepsenNode {
    const node = this.nodes.find((n) => n.name === name);
    if (node === undefined) throw new Error(`no member ${name}`);
    return node;
  }

  get initialCluster(): string {
    return this.nodes.map((n) => `${n.name}=${n.advertisedPeerUrl}`).join(',');
  }

  /** Starts `node` (which must be down) with its current fsync delay. */
  start(node: JepsenNode): void {
    if (node.process !== null) throw new Error(`${node.name} is already running`);
    if (node.removed) throw new Error(`${node.name} is removed from the cluster`);
    const s = this.settings;
    mkdirSync(node.dataDir, { recursive: true });
    const args = [this.script, '--name', node.name, '--data-dir', node.dataDir,
      '--listen-client-urls', node.clientUrl,
      '--listen-peer-urls', `http://${node.host}:${peerListenPort}`,
      '--initial-advertise-peer-urls', node.advertisedPeerUrl,
      '--initial-cluster', this.initialCluster, '--initial-cluster-token', clusterToken,
      '--heartbeat-interval', String(s.heartbeatMs), '--election-timeout', String(s.electionMs),
      '--snapshot-count', String(s.snapshotCount), '--log-format', 'json',
      ...(node.joinsExisting ? ['--initial-cluster-state', 'existing'] : [])];
    const env: NodeJS.ProcessEnv = {
      ...process.env, KVD_TEST_FSYNC_DELAY_MS: String(node.fsyncDelayMs),
    };
    if (s.bugs !== '') env['KVD_TEST_BUGS'] = s.bugs;
    else delete env['KVD_TEST_BUGS'];
    node.starts++;
    const note = { jepsen: 'start', at: new Date().toISOString(), incarnation: node.starts,
      fsyncDelayMs: node.fsyncDelayMs, bugs: s.bugs };
    appendFileSync(node.logPath, `${JSON.stringify(note)}\n`);
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    const log = createWriteStream(node.logPath, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    liveChildren.add(child);
    child.once('exit', (code, signal) => {
      liveChildren.delete(child);
      appendFileSync(node.logPath, `${JSON.stringify({ jepsen: 'exit', code, signal })}\n`);
      if (node.process === child && !node.stopping) {
        this.unexpectedExits.push({ name: node.name, code, signal, at: new Date().toISOString() });
      }
      if (node.process === child) {
        node.process = null;
        node.paused = false;
      }
    });
    node.process = child;
    node.paused = false;
  }

  /** Stops `node` with `signal` (SIGKILL: a crash) and waits for the process to be gone. */
  async stop(node: JepsenNode, signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
    const child = node.process;
    if (child === null) return;
    const exited = new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) done();
      else child.once('exit', () => done());
    });
    node.stopping = true;
    if (signal === 'SIGTERM' && node.paused) child.kill('SIGCONT');
    child.kill(signal);
    if (signal === 'SIGTERM') {
      const timer = setTimeout(() => child.kill('SIGKILL'), terminateMsMax);
      await exited;
      clearTimeout(timer);
    } else {
      await exited;
    }
    node.stopping = false;
    node.process = null;
    node.paused = false;
  }

  pause(node: JepsenNode): void {
    if (node.process === null || node.paused) return;
    node.process.kill('SIGSTOP');
    node.paused = true;
  }

  resume(node: JepsenNode): void {
    if (node.process === null || !node.paused) return;
    node.process.kill('SIGCONT');
    node.paused = false;
  }

  /**
   * Every member running, unpaused, on a healthy network, with its normal disk, and a member
   * again if it was removed; returns what could not be healed.
   */
  async healAll(): Promise<string[]> {
    this.network.heal();
    const problems: string[] = [];
    for (const node of this.nodes) {
      if (node.removed) continue;
      this.resume(node);
      if (node.fsyncDelayMs !== node.normalFsyncDelayMs) {
        await this.stop(node, 'SIGTERM');
        node.fsyncDelayMs = node.normalFsyncDelayMs;
      }
      if (node.process === null) this.start(node);
    }
    for (const node of this.nodes) {
      if (!node.removed) continue;
      const result = await rejoinMember(this, node);
      if (!result.ok) problems.push(result.reason);
    }
    return problems;
  }

  /** Members that claim leadership now (running, unpaused), by /v2/stats/self. */
  async leaders(timeoutMs = 1000): Promise<JepsenNode[]> {
    const claims = await Promise.all(this.nodes.map(async (node) => {
      if (node.process === null || node.paused) return null;
      const stats = await getJson(`${node.clientUrl}/v2/stats/self`, timeoutMs);
      return stats?.['state'] === 'StateLeader' ? node : null;
    }));
    return claims.filter((n): n is JepsenNode => n !== null);
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.stop(n, 'SIGKILL')));
    await this.network.close();
  }
}
