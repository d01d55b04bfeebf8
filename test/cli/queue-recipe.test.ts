// The lock/elect queue recipe in-process against a fake v2 server: a join POST whose answer
// never comes is settled by a quorum read (the entry is adopted, not appended twice) when the
// value is unique, and is an error otherwise; leave() deletes the entry's key.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { KvClient } from '../../src/cli/client.js';
import { UnreachableError } from '../../src/cli/exit-codes.js';
import { QueueEntry } from '../../src/cli/queue-recipe.js';

const servers: Server[] = [];

/** A v2 server whose POSTs create a key but are never answered. */
async function silentPostServer(): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const values: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url?.split('?')[0]}`);
      if (req.method === 'POST') return values.push(new URLSearchParams(body).get('value')!);
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-etcd-index', String(4 + values.length));
      const nodes = values.map((value, i) => ({
        key: `/q/0000000000000000000${5 + i}`,
        value,
        createdIndex: 5 + i,
        modifiedIndex: 5 + i,
      }));
      const node = req.method === 'GET' ? { key: '/q', dir: true, nodes } : nodes[0];
      res.end(JSON.stringify({ action: req.method === 'GET' ? 'get' : 'update', node }));
    });
  });
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  }
});

describe('queue recipe', () => {
  it('queue: an unanswered join POST is adopted from a quorum read, not sent twice', async () => {
    const fake = await silentPostServer();
    const client = new KvClient({ endpoints: [fake.url], timeoutMs: 200 });
    const entry = await QueueEntry.join(client, '/q', 'host:1:abcd', {
      ttlSeconds: 30,
      uniqueValue: true,
    });
    expect(entry.key).toBe('/q/00000000000000000005');
    expect(fake.seen).toEqual(['POST /v2/keys/q', 'GET /v2/keys/q']);
    await entry.leave();
    expect(fake.seen.at(-1)).toBe('DELETE /v2/keys/q/00000000000000000005');
  });

  it('queue: without a unique value an unanswered join is an error (effect unknown)', async () => {
    const fake = await silentPostServer();
    const client = new KvClient({ endpoints: [fake.url], timeoutMs: 200 });
    const join = QueueEntry.join(client, '/q', 'alpha', { ttlSeconds: 30, uniqueValue: false });
    await expect(join).rejects.toThrow(UnreachableError);
    expect(fake.seen).toEqual(['POST /v2/keys/q']);
  });
});
