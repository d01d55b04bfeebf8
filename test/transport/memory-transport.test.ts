// memory-transport.ts: the in-memory twin passes the shared Transport conformance suite, and
// its partition switch drops, counts and reports like an unreachable TCP peer.

import { afterEach, describe, expect, it } from 'vitest';
import type { Message, NodeId } from '../../src/raft/types.js';
import { MemoryNetwork, MemoryTransport } from '../../src/transport/memory-transport.js';
import type { PeerStatusEvent } from '../../src/transport/transport.js';
import { describeTransportConformance, type ConformanceCluster } from './transport-conformance.js';
import { heartbeat, waitFor } from './transport-fixtures.js';

async function startMemoryCluster(
  ids: readonly NodeId[],
): Promise<ConformanceCluster & { network: MemoryNetwork }> {
  const network = new MemoryNetwork();
  const transports = new Map<NodeId, MemoryTransport>();
  const received = new Map<NodeId, Message[]>();
  const events = new Map<NodeId, PeerStatusEvent[]>();
  for (const id of ids) {
    const transport = new MemoryTransport(network, { selfId: id });
    const inbox: Message[] = [];
    const log: PeerStatusEvent[] = [];
    transport.onMessage((message) => inbox.push(message));
    transport.onPeerStatus((event) => log.push(event));
    await transport.start();
    transports.set(id, transport);
    received.set(id, inbox);
    events.set(id, log);
  }
  for (const [id, transport] of transports) {
    for (const other of ids)
      if (other !== id) transport.addPeer(other, `http://127.0.0.1:${2380 + ids.indexOf(other)}`);
  }
  const close = async (): Promise<void> => {
    await Promise.all([...transports.values()].map((transport) => transport.close()));
  };
  return { network, transports, received, events, close };
}

describeTransportConformance('memory-transport', startMemoryCluster);

describe('memory-transport: partitions', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  it('memory-transport: a cut link drops and counts, reports down, then up', async () => {
    const cluster = await startMemoryCluster(['a', 'b']);
    close = cluster.close;
    const a = cluster.transports.get('a');
    cluster.network.disconnect('a', 'b');
    a?.send([heartbeat('a', 'b', 1), heartbeat('a', 'b', 2)]);
    expect(a?.stats().counters.droppedUnreachable).toBe(2);
    expect(a?.stats().peers.get('b')?.connected).toBe(false);
    cluster.network.reconnect('a', 'b');
    a?.send([heartbeat('a', 'b', 3)]);
    await waitFor('delivered after reconnect', () => cluster.received.get('b')?.length === 1);
    expect(cluster.received.get('b')?.[0]?.term).toBe(3);
    expect(cluster.events.get('a')?.map((event) => event.type)).toEqual(['down', 'up']);
  });
});
