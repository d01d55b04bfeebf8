// Shared fixtures for transport tests: captured pino logs, polling waits, seeded message
// builders, fast-check arbitraries for Messages, and TCP clusters on 127.0.0.1 port 0 that
// close everything they opened. Test code only; imports src/transport, src/lib, src/raft types.

import fc from 'fast-check';
import { pino, type Logger } from 'pino';
import { Prng } from '../../src/lib/prng.js';
import {
  makeMessage,
  type Entry,
  type Message,
  type NodeId,
} from '../../src/raft/types.js';
import { TcpTransport, type TcpTransportOptions } from '../../src/transport/tcp-transport.js';
import type { TransportLimits } from '../../src/transport/transport-limits.js';
import { MESSAGE_TYPES } from '../../src/transport/peer-wire.js';

export const CLUSTER_ID = 'c0ffee';
export const LOOPBACK_URL = 'http://127.0.0.1:0';

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface CapturedLogger {
  readonly logger: Logger;
  readonly lines: LogLine[];
  /** Lines whose msg contains `text`, optionally with equal fields. */
  find(text: string, fields?: Record<string, unknown>): LogLine[];
}

export function captureLogger(level = 'debug'): CapturedLogger {
  const lines: LogLine[] = [];
  const stream = { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) };
  const logger = pino({ level }, stream);
  const find = (text: string, fields: Record<string, unknown> = {}): LogLine[] =>
    lines.filter(
      (line) =>
        line.msg.includes(text) &&
        Object.entries(fields).every(([key, value]) => line[key] === value),
    );
  return { logger, lines, find };
}

/** Polls `condition` every 5 ms; rejects naming `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  condition: () => boolean,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The seed for a seeded test: KVD_SEED if set, else fresh; printed so a failure replays. */
export function testSeed(name: string): number {
  const fromEnv = process.env['KVD_SEED'];
  const seed = fromEnv === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(fromEnv);
  console.log(`[seed] ${name}: KVD_SEED=${seed}`);
  return seed;
}

export function heartbeat(from: NodeId, to: NodeId, term = 1, commit = 0): Message {
  return makeMessage({ type: 'heartbeat', from, to, term, commit });
}

export function appendMessage(
  from: NodeId,
  to: NodeId,
  index: number,
  random: Prng,
  dataBytes = 64,
): Message {
  const entries: Entry[] = [];
  for (let i = 0; i < 4; i++) {
    const data = new Uint8Array(dataBytes);
    for (let j = 0; j < data.length; j++) data[j] = random.int(256);
    entries.push({ term: 2, index: index + 1 + i, type: 'normal', data });
  }
  return makeMessage({
    type: 'append',
    from,
    to,
    term: 2,
    logTerm: 2,
    index,
    commit: index,
    entries,
  });
}


const nodeIdArb = fc.stringMatching(/^[0-9a-f]{1,16}$/);
const uint53Arb = fc.oneof(fc.nat(1000), fc.maxSafeNat());
const bytesArb = (max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength: max });

export const entryArb: fc.Arbitrary<Entry> = fc.record({
  term: uint53Arb,
  index: uint53Arb,
  type: fc.constantFrom('normal' as const, 'conf-change' as const),
  data: bytesArb(64),
});

/** Any Message the core could produce (IDs given or arbitrary). */
export function messageArb(ids?: { from: NodeId; to: NodeId }): fc.Arbitrary<Message> {
  const snapshotArb = fc.record({
    meta: fc.record({
      index: uint53Arb,
      term: uint53Arb,
      conf: fc.record({
        voters: fc.array(nodeIdArb, { maxLength: 5 }),
        learners: fc.array(nodeIdArb, { maxLength: 3 }),
      }),
    }),
    data: bytesArb(256),
  });
  return fc.record(
    {
      type: fc.constantFrom(...MESSAGE_TYPES),
      from: ids === undefined ? nodeIdArb : fc.constant(ids.from),
      to: ids === undefined ? nodeIdArb : fc.constant(ids.to),
      term: uint53Arb,
      logTerm: uint53Arb,
      index: uint53Arb,
      entries: fc.array(entryArb, { maxLength: 4 }),
      commit: uint53Arb,
      reject: fc.boolean(),
      rejectHint: uint53Arb,
      rejectTerm: uint53Arb,
      context: fc.string({ maxLength: 24 }),
      snapshot: snapshotArb,
      transfer: fc.boolean(),
    },
    {
      requiredKeys: [
        'type',
        'from',
        'to',
        'term',
        'logTerm',
        'index',
        'entries',
        'commit',
        'reject',
        'rejectHint',
        'rejectTerm',
        'context',
        'transfer',
      ],
    },
  );
}

/** Plain-data copy (bytes as number arrays): toEqual then treats Buffer and Uint8Array alike. */
export function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value))
    if (field !== undefined) out[key] = plain(field);
  return out;
}

export interface TcpMember {
  readonly id: NodeId;
  readonly transport: TcpTransport;
  readonly log: CapturedLogger;
  readonly received: Message[];
}

export interface TcpClusterOptions {
  readonly limits?: Partial<TransportLimits>;
  readonly seed?: number;
  readonly overrides?: (id: NodeId) => Partial<TcpTransportOptions>;
}

/** Starts one TcpTransport per ID on port 0; all know each other; collects received messages. */
export async function startTcpCluster(
  ids: readonly NodeId[],
  options: TcpClusterOptions = {},
): Promise<TcpMember[]> {
  const random = new Prng(options.seed ?? 1);
  const members: TcpMember[] = [];
  for (const id of ids) {
    const log = captureLogger();
    const transport = new TcpTransport({
      selfId: id,
      clusterId: CLUSTER_ID,
      listenUrl: LOOPBACK_URL,
      logger: log.logger,
      random: random.fork(),
      limits: { reconnectBackoffMsMin: 10, reconnectBackoffMsMax: 100, ...options.limits },
      ...options.overrides?.(id),
    });
    const received: Message[] = [];
    transport.onMessage((message) => received.push(message));
    await transport.start();
    members.push({ id, transport, log, received });
  }
  for (const member of members) {
    for (const other of members) {
      if (other !== member) member.transport.addPeer(other.id, other.transport.listenUrl);
    }
  }
  return members;
}

export async function waitConnected(members: readonly TcpMember[]): Promise<void> {
  await waitFor('all peers connected', () =>
    members.every((member) =>
      [...member.transport.stats().peers.values()].every((peer) => peer.connected),
    ),
  );
}

export async function closeAll(
  members: readonly { transport: { close(): Promise<void> } }[],
): Promise<void> {
  await Promise.all(members.map((member) => member.transport.close()));
}
