// /metrics in Prometheus text format (prom-client): proposals committed, applied, pending and
// failed, leader changes, whether there is a leader, fsync and apply latency histograms, peer
// transport drops, watchers, keys and db size. Names follow etcd's, under a kvd_ prefix.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { Member } from './member.js';

const latencyBuckets = [0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048];

export class KvdMetrics {
  readonly registry = new Registry();
  readonly fsync = new Histogram({ name: 'kvd_disk_wal_fsync_duration_seconds', help: 'Latency of synced Raft log writes',
    buckets: latencyBuckets, registers: [this.registry] });
  readonly apply = new Histogram({ name: 'kvd_disk_backend_commit_duration_seconds', help: 'Latency of applying a batch and writing it',
    buckets: latencyBuckets, registers: [this.registry] });

  constructor(private readonly dataDir: string) {
    collectDefaultMetrics({ register: this.registry, prefix: 'kvd_process_' });
  }

  /** Gauges read from the member at scrape time. */
  watch(member: Member): void {
    const r = [this.registry];
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({ name, help, registers: r, collect(): void { this.set(read()); } });
    };
    const counter = (name: string, help: string, read: () => number): void => {
      new Counter({ name, help, registers: r, collect(): void { this.reset(); this.inc(read()); } });
    };
    counter('kvd_server_proposals_committed_total', 'Committed Raft entries', () => member.core.log.committed);
    counter('kvd_server_proposals_applied_total', 'Applied Raft entries', () => member.core.log.applied);
    gauge('kvd_server_proposals_pending', 'Client writes waiting to apply here', () => member.pendingProposals);
    counter('kvd_server_proposals_failed_total', 'Client writes that timed out', () => member.counts.proposalsFailed);
    counter('kvd_server_leader_changes_seen_total', 'Leaders seen by this member', () => member.counts.leaderChanges);
    gauge('kvd_server_has_leader', '1 when this member knows a leader', () => (member.core.leaderId === '' ? 0 : 1));
    gauge('kvd_server_is_leader', '1 when this member is the leader', () => (member.core.role === 'leader' ? 1 : 0));
    gauge('kvd_server_term', 'Current Raft term', () => member.core.term);
    gauge('kvd_store_watchers', 'Registered v2 watchers', () => member.store.watcherCount);
    gauge('kvd_store_index', 'The v2 store index (X-Etcd-Index)', () => member.store.etcdIndex);
    gauge('kvd_debugging_mvcc_db_total_size_in_bytes', 'Bytes in the data dir', () => directoryBytes(this.dataDir));
    counter('kvd_network_peer_dropped_messages_total', 'Peer messages dropped (unreachable, queue full, ...)', () => {
      const c = member.transport.stats().counters;
      return c.droppedUnreachable + c.droppedQueueFull + c.droppedUnknownPeer + c.droppedTooLarge;
    });
  }

  register(app: FastifyInstance): void {
    app.get('/metrics', async (_request, reply) => {
      reply.header('Content-Type', this.registry.contentType);
      return reply.send(await this.registry.metrics());
    });
  }
}

function directoryBytes(path: string): number {
  let total = 0;
  try {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      total += entry.isDirectory() ? directoryBytes(full) : statSync(full).size;
    }
  } catch {
    // A file removed while we counted: report what we saw.
  }
  return total;
}
