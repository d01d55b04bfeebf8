// peer-address.ts: etcd-style http://host:port peer URLs, and clear errors for the rest.

import { describe, expect, it } from 'vitest';
import { isKvdError } from '../../src/lib/errors.js';
import { formatPeerUrl, parsePeerAddress } from '../../src/transport/peer-address.js';

describe('peer-address', () => {
  it('peer-address: http URLs parse to host and port (IPv6 unbracketed, default port 80)', () => {
    expect(parsePeerAddress('http://127.0.0.1:2380')).toEqual({
      url: 'http://127.0.0.1:2380',
      host: '127.0.0.1',
      port: 2380,
    });
    expect(parsePeerAddress('http://[::1]:2380/').host).toBe('::1');
    expect(parsePeerAddress('http://node1').port).toBe(80);
    expect(parsePeerAddress('http://127.0.0.1:0', { allowPortZero: true }).port).toBe(0);
    expect(formatPeerUrl('::1', 5)).toBe('http://[::1]:5');
  });

  it('peer-address: anything else is KVD_ERR_PEER_ADDRESS_INVALID with the reason', () => {
    const cases: [string, RegExp][] = [
      ['https://127.0.0.1:2380', /TLS/],
      ['unix:///tmp/sock', /scheme unix:/],
      ['127.0.0.1:2380', /scheme 127.0.0.1:|not a URL/],
      ['http://u:p@127.0.0.1:1', /credentials/],
      ['http://127.0.0.1:1/raft', /path/],
      ['http://127.0.0.1:0', /port 0/],
      ['', /not a URL/],
    ];
    for (const [url, why] of cases) {
      let caught: unknown;
      try {
        parsePeerAddress(url);
      } catch (error) {
        caught = error;
      }
      expect(isKvdError(caught, 'KVD_ERR_PEER_ADDRESS_INVALID'), url).toBe(true);
      expect((caught as Error).message, url).toMatch(why);
    }
  });
});
