// kvd's --discovery start-up step, called by src/server/kvd.ts before the data dir is touched:
// a data dir that already holds a member of the token's cluster restarts without discovery;
// an empty one runs discovery and gets the found members as --initial-cluster (the token URL
// doubling as the initial cluster token); any discovery failure prints its paragraph and exits
// 1 with the data dir as it was. Imports the discovery client, flags' types, identity, storage.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { KvdConfig } from '../server/flags.js';
import { clusterIdFor, memberIdFor } from '../server/identity.js';
import { LevelRaftStorage } from '../storage/level-raft-storage.js';
import type { MemberIdentity } from '../storage/raft-storage.js';
import { discoverCluster, type DiscoveryOptions } from './discovery-client.js';
import { isDiscoveryError } from './discovery-error.js';
import { dataDirError, type MemberContext } from './messages.js';

/** The config to start with: unchanged without --discovery; exits the process on failure. */
export async function applyDiscovery(config: KvdConfig, logger: Logger): Promise<KvdConfig> {
  try {
    return await resolveDiscovery(config, logger);
  } catch (error) {
    if (!isDiscoveryError(error)) throw error;
    logger.fatal({ code: error.code }, error.message);
    process.stderr.write(`kvd: ${error.message}\n`);
    process.exit(1);
  }
}

/** applyDiscovery without the exit: throws DiscoveryError (for tests and embedding). */
export async function resolveDiscovery(
  config: KvdConfig,
  logger: Logger,
  tuning: Partial<Pick<DiscoveryOptions, 'backoffMsBase' | 'backoffMsMax' | 'watchRepollMs'>> = {},
): Promise<KvdConfig> {
  const tokenUrl = config.discovery.url;
  if (tokenUrl === null) return config;
  const peerUrls = [...config.initialAdvertisePeerUrls];
  const context: MemberContext = {
    tokenUrl, name: config.name, peerUrls, memberId: memberIdFor(peerUrls, tokenUrl),
    dataDir: config.dataDir,
  };
  const held = await heldIdentity(config.dataDir);
  if (held === 'unreadable') return { ...config, initialClusterToken: tokenUrl }; // kvd reports it
  if (held !== null) {
    const expected = clusterIdFor(tokenUrl);
    if (held.clusterId !== expected) throw dataDirError(context, held, expected);
    logger.info(`discovery: token ignored: the data dir ${config.dataDir} already holds member `
      + `${held.name} (${held.memberId}) of cluster ${held.clusterId}; restarting it`);
    return { ...config, initialClusterToken: tokenUrl };
  }
  const result = await discoverCluster({
    ...context, ...tuning, timeoutMs: config.discovery.timeoutMs,
    log: { info: (line) => logger.info(line), warn: (line) => logger.warn(line) },
  });
  const initialCluster = new Map<string, string[]>();
  for (const member of result.members) {
    initialCluster.set(member.name, [...member.peerUrls]);
    const derived = memberIdFor(member.peerUrls, tokenUrl);
    if (derived !== member.id) {
      logger.warn(`discovery: ${member.name} registered as ${member.id}, but kvd derives `
        + `${derived} from its peer URLs and this token: it is not a kvd member, or it was `
        + 'given the token URL spelled differently');
    }
  }
  return { ...config, initialCluster, initialClusterToken: tokenUrl, initialClusterState: 'new' };
}

/**
 * The identity a data dir holds, null when it holds none (never creates anything), or
 * 'unreadable' when it is in use or damaged: then discovery must not run, and kvd's own
 * start-up reports the problem.
 */
async function heldIdentity(dataDir: string): Promise<MemberIdentity | null | 'unreadable'> {
  if (!existsSync(join(dataDir, 'db'))) return null;
  const storage = new LevelRaftStorage(join(dataDir, 'db'));
  try {
    await storage.open();
  } catch {
    return 'unreadable';
  }
  try {
    const loaded = await storage.load();
    const hasLog = loaded.entries.length > 0 || loaded.hardState.term > 0;
    if (loaded.identity === null && hasLog) return 'unreadable';
    return loaded.identity;
  } catch {
    return 'unreadable';
  } finally {
    await storage.close();
  }
}
