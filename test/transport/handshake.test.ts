// handshake.ts: the listener's checks in order (version, cluster, sender, receiver, channel),
// minor version negotiation, and the dialer's check of the reply. Pure, no sockets.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PROTOCOL_VERSION,
  checkHandshake,
  checkHandshakeReply,
  negotiateMinor,
  type Handshake,
  type ListenerIdentity,
  type VersionRange,
} from '../../src/transport/handshake.js';
import { testSeed } from './transport-fixtures.js';

const local: ListenerIdentity = {
  version: { major: 1, minorMin: 0, minorMax: 2 },
  clusterId: 'c1',
  selfId: 'a',
  isMember: (id) => id === 'b' || id === 'c',
};

const hello: Handshake = {
  version: { major: 1, minorMin: 1, minorMax: 3 },
  clusterId: 'c1',
  senderId: 'b',
  receiverId: 'a',
  channel: 'messages',
};

describe('handshake', () => {
  it('handshake: accept: negotiated minor is the smaller maximum', () => {
    expect(checkHandshake(hello, local)).toEqual({
      accepted: true,
      minor: 2,
      version: local.version,
      responderId: 'a',
    });
  });

  it('handshake: refuse: each failed check gives its own reason, first failure wins', () => {
    const cases: [Partial<Handshake>, string][] = [
      [{ version: { major: 2, minorMin: 0, minorMax: 0 } }, 'version'],
      [{ version: { major: 1, minorMin: 3, minorMax: 4 } }, 'version'],
      [{ clusterId: 'other' }, 'cluster-mismatch'],
      [{ senderId: 'd' }, 'unknown-sender'],
      [{ senderId: 'NOT-HEX' }, 'unknown-sender'],
      [{ receiverId: 'c' }, 'wrong-receiver'],
      [{ channel: undefined }, 'malformed'],
      [
        { clusterId: 'other', senderId: 'd', version: { major: 0, minorMin: 0, minorMax: 0 } },
        'version',
      ],
      [{ senderId: 'd', receiverId: 'c' }, 'unknown-sender'],
    ];
    for (const [change, reason] of cases) {
      const reply = checkHandshake({ ...hello, ...change }, local);
      expect(reply.accepted ? 'accepted' : reply.reason, JSON.stringify(change)).toBe(reason);
      expect(reply.accepted ? '' : reply.detail).not.toBe('');
    }
  });

  it('handshake: negotiate: a minor exists iff the ranges overlap, and it lies in both', () => {
    const seed = testSeed('handshake negotiate');
    const range = fc.tuple(fc.nat(2), fc.nat(5), fc.nat(5)).map(([major, x, y]): VersionRange => ({
      major,
      minorMin: Math.min(x, y),
      minorMax: Math.max(x, y),
    }));
    fc.assert(
      fc.property(range, range, (a, b) => {
        const minor = negotiateMinor(a, b);
        const overlap =
          a.major === b.major &&
          Math.max(a.minorMin, b.minorMin) <= Math.min(a.minorMax, b.minorMax);
        expect(minor !== undefined).toBe(overlap);
        if (minor === undefined) return;
        expect(minor).toBe(Math.min(a.minorMax, b.minorMax));
        expect(minor >= a.minorMin && minor >= b.minorMin).toBe(true);
        expect(negotiateMinor(b, a)).toBe(minor);
      }),
      { seed, numRuns: 500 },
    );
  });

  it('handshake: dialer: accepts a consistent reply, rejects a wrong minor or responder', () => {
    const reply = checkHandshake(hello, local);
    expect(checkHandshakeReply(reply, hello)).toEqual({ ok: true, minor: 2 });
    if (!reply.accepted) throw new Error('expected an accepted reply');
    expect(checkHandshakeReply({ ...reply, minor: 3 }, hello)).toMatchObject({
      ok: false,
      reason: 'version',
    });
    expect(checkHandshakeReply({ ...reply, responderId: 'c' }, hello)).toMatchObject({
      ok: false,
      reason: 'wrong-receiver',
    });
    const refused = checkHandshake({ ...hello, clusterId: 'x' }, local);
    expect(checkHandshakeReply(refused, hello)).toMatchObject({
      ok: false,
      reason: 'cluster-mismatch',
    });
  });

  it('handshake: this build speaks protocol 1.0', () => {
    expect(PROTOCOL_VERSION).toEqual({ major: 1, minorMin: 0, minorMax: 0 });
  });
});
