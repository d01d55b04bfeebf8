// The kvd daemon's entry point: parses flags, opens (or bootstraps) the data dir, starts the
// peer transport, the member and the HTTP gateway, and shuts down cleanly on SIGTERM.
import { mkdirSync } from 'node:fs';
import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { CommanderError } from 'commander';
import { buildApp } from '../api/app.js';
// discovery (owned by src/discovery/): --discovery bootstrap and GET /new
import { applyDiscovery } from '../discovery/bootstrap.js';
import { registerNewTokenRoute } from '../discovery/new-token-route.js';
import { Prng } from '../lib/prng.js';
import { bootstrapEntries } from '../raft/index.js';
import { LevelRaftStorage } from '../storage/level-raft-storage.js';
import { StorageCorruptError, type MemberIdentity } from '../storage/raft-storage.js';
import { TcpTransport } from '../transport/tcp-transport.js';
import { enableNextVersionWireForTesting } from '../transport/peer-codec.js';
import { encodeAttributes } from './envelope.js';
import { buildCommand, FlagError, parseFlags, type KvdConfig } from './flags.js';
import { clusterIdFor, memberIdFor } from './identity.js';
import { Member } from './member.js';
import { KvdMetrics } from './metrics.js';
import { forceNewCluster } from './force-new-cluster.js';
import { MemberBackend } from './member-backend.js';
import { MembershipService } from './membership-service.js';
import { makeLogger } from './logger.js';

export const KVD_VERSION = '0.1.0';
export const ETCD_COMPAT_VERSION = '3.4.0';

export async function main(argv: readonly string[]): Promise<void> {
  let config: KvdConfig;
  try {
    const command = buildCommand(KVD_VERSION);
    command.parse([...argv], { from: 'user' });
    config = parseFlags(command.opts());
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    if (error instanceof FlagError) {
      process.stderr.write(`kvd: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = makeLogger(config.logFormat, config.logLevel);
  await run(config, logger);
}

async function run(config: KvdConfig, logger: Logger): Promise<void> {
  config = await applyDiscovery(config, logger); // discovery: before the data dir is touched
  mkdirSync(config.dataDir, { recursive: true });
  const storage = new LevelRaftStorage(`${config.dataDir}/db`);
  storage.fsyncDelayMs = Number(process.env['KVD_TEST_FSYNC_DELAY_MS'] ?? 0) || 0;
  storage.failWritesWhileExists = process.env['KVD_TEST_DISK_FULL_FILE'] || null;
  try {
    await storage.open();
  } catch (error) {
    logger.fatal({ err: error }, `cannot open data dir ${config.dataDir} (is another kvd using it?)`);
    process.exit(1);
  }
  let identity: MemberIdentity;
  let loaded: Awaited<ReturnType<LevelRaftStorage['load']>>;
  try {
    identity = await ensureIdentity(config, storage, logger);
    if (config.forceNewCluster) {
      const removed = await forceNewCluster(storage, identity.memberId);
      logger.warn({ removed }, 'FORCED A NEW CLUSTER: this member is now the only one, with its data; ' +
        'uncommitted entries were dropped. Add members back with member add. Never restart the old ' +
        'members against this one: start them with empty data dirs.');
    }
    loaded = await storage.load();
  } catch (error) {
    if (!(error instanceof StorageCorruptError)) throw error;
    logger.fatal(`data dir ${config.dataDir} is damaged: ${error.message}. kvd will not repair or ` +
      'overwrite it: restore it from a backup, or remove this member from the cluster and add it ' +
      'back with an empty data dir');
    await storage.close();
    process.exit(1);
  }
  const metrics = new KvdMetrics(config.dataDir);
  const version = testProtocolFromEnv();
  const transport = new TcpTransport({
    ...(version ? { version } : {}),
    selfId: identity.memberId, clusterId: identity.clusterId, listenUrl: config.listenPeerUrl.toString(),
    logger: logger.child({ component: 'transport' }),
    // A restarted peer should be heard from within about one election timeout.
    limits: { reconnectBackoffMsMax: Math.min(1000, config.electionTimeoutMs) },
  });
  const member = new Member({
    id: identity.memberId, name: config.name, clusterId: identity.clusterId,
    tickMs: config.heartbeatIntervalMs,
    electionTicks: Math.max(2, Math.round(config.electionTimeoutMs / config.heartbeatIntervalMs)),
    snapshotCount: config.snapshotCount, requestTimeoutMs: 5000, storage, transport,
    clock: {
      nowMs: () => Date.now(),
      setInterval: (fn, ms) => { const t = setInterval(fn, ms); return { stop: () => clearInterval(t) }; },
    },
    random: new Prng(randomInt(2 ** 32)), logger, testBugs: testBugsFromEnv(logger),
    onFatal: () => setTimeout(() => process.exit(1), 200),
    observe: { fsyncSeconds: (s) => metrics.fsync.observe(s), applySeconds: (s) => metrics.apply.observe(s) },
  }, loaded);
  if (loaded.entries.length === 0 && loaded.snapshot.meta.index === 0) {
    // A member joining an existing cluster knows its peers only from --initial-cluster.
    for (const [name, urls] of config.initialCluster) {
      const id = memberIdFor(urls, config.initialClusterToken);
      if (name !== config.name && urls[0]) transport.addPeer(id, urls[0]);
    }
  }
  const membership = new MembershipService(member, config.initialClusterToken, 5000);
  await transport.start();
  member.start();
  member.publishAttributes({ name: config.name, peerURLs: [...config.initialAdvertisePeerUrls], clientURLs: [...config.advertiseClientUrls] });
  const backend = new MemberBackend(member, identity.clusterId, identity.memberId, config.name, membership);
  const app = buildApp(backend, { version: { etcdserver: ETCD_COMPAT_VERSION, etcdcluster: '3.4.0', kvd: KVD_VERSION } });
  metrics.watch(member);
  metrics.register(app);
  // discovery: GET /new?size=N hands out tokens served by this cluster's keys API
  registerNewTokenRoute(app, backend, { clientUrl: config.advertiseClientUrls[0]!, tokenTtlSeconds: config.discovery.tokenTtlSeconds });
  for (const url of config.listenClientUrls) {
    await app.listen({ host: url.hostname, port: Number(url.port) });
  }
  logger.info({ name: config.name, id: identity.memberId, cluster: identity.clusterId,
    clientUrls: config.advertiseClientUrls, peerUrl: config.listenPeerUrl.toString() }, 'kvd is serving');
  const shutdown = async (signal: string): Promise<void> => {
    logger.info({ signal }, 'shutting down: transferring leadership, finishing requests');
    await member.transferLeadership(2000);
    await app.close();
    await member.stop();
    await transport.close();
    await storage.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

async function ensureIdentity(config: KvdConfig, storage: LevelRaftStorage, logger: Logger): Promise<MemberIdentity> {
  const loaded = await storage.load();
  if (loaded.identity !== null) {
    if (loaded.identity.name !== config.name) {
      logger.fatal(`data dir ${config.dataDir} belongs to member "${loaded.identity.name}", not --name "${config.name}"; refusing to start`);
      process.exit(1);
    }
    return loaded.identity;
  }
  if (loaded.entries.length > 0 || loaded.hardState.term > 0) {
    logger.fatal(`data dir ${config.dataDir} holds a Raft log but no member identity: it is damaged or not kvd's; refusing to start`);
    process.exit(1);
  }
  const token = config.initialClusterToken;
  const ids = new Map([...config.initialCluster].map(([name, urls]) => [name, memberIdFor(urls, token)]));
  const memberId = ids.get(config.name) as string;
  const clusterId = clusterIdFor(token);
  if (config.initialClusterState === 'existing') {
    // Joining a running cluster: no bootstrap entries; the leader sends the log (or a snapshot).
    const identity = { clusterId, memberId, name: config.name };
    await storage.saveIdentity(identity);
    return identity;
  }
  const entries = bootstrapEntries([...config.initialCluster].map(([name, urls]) => ({
    id: ids.get(name) as string,
    // Identical on every member: client URLs are published through the log after start.
    context: encodeAttributes({ name, peerURLs: urls, clientURLs: [] }),
  })));
  await storage.persist({ entries, hardState: { term: 1, vote: '', commit: entries.length }, sync: true });
  const identity = { clusterId, memberId, name: config.name };
  await storage.saveIdentity(identity);
  return identity;
}

/** KVD_TEST_BUGS=a,b switches on broken-on-purpose behaviour for fault-injection tests. */
function testBugsFromEnv(logger: Logger): Set<'reads-skip-read-index' | 'ack-before-fsync'> {
  const known = ['reads-skip-read-index', 'ack-before-fsync'] as const;
  const bugs = new Set<(typeof known)[number]>();
  for (const name of (process.env['KVD_TEST_BUGS'] ?? '').split(',').filter(Boolean)) {
    if (!(known as readonly string[]).includes(name)) throw new Error(`KVD_TEST_BUGS: unknown bug "${name}"`);
    bugs.add(name as (typeof known)[number]);
  }
  if (bugs.size > 0) logger.warn({ bugs: [...bugs] }, 'TEST-ONLY BUGS ARE SWITCHED ON: this member is broken on purpose');
  return bugs;
}

/**
 * KVD_TEST_PROTOCOL=next makes this member speak protocol 1.1 (extra fields, a new message
 * type) and KVD_TEST_PROTOCOL=major2 speak 2.0: for rolling-upgrade tests only.
 */
function testProtocolFromEnv(): { major: number; minorMin: number; minorMax: number } | null {
  const mode = process.env['KVD_TEST_PROTOCOL'];
  if (mode === undefined || mode === '') return null;
  if (mode === 'next') {
    enableNextVersionWireForTesting();
    return { major: 1, minorMin: 0, minorMax: 1 };
  }
  if (mode === 'major2') return { major: 2, minorMin: 0, minorMax: 0 };
  throw new Error(`KVD_TEST_PROTOCOL: unknown mode "${mode}" (next or major2)`);
}
