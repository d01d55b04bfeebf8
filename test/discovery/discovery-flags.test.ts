// The --discovery* flags: defaults, durations, and the mistakes refused before anything starts.
import { describe, expect, it } from 'vitest';
import { parseDiscoveryFlags } from '../../src/discovery/discovery-flags.js';
import { formatDurationMs, parseDurationMs } from '../../src/discovery/duration.js';
import { serviceOf } from '../../src/discovery/messages.js';
import { findDuplicate, parseRegistration, registrationsOf } from '../../src/discovery/registry.js';

const url = 'http://127.0.0.1:2379/v2/keys/_etcd/registry/0123456789abcdef0123456789abcdef';

describe('discovery flags', () => {
  it('flags: defaults are no discovery, 5m timeout, 7d token TTL', () => {
    expect(parseDiscoveryFlags({})).toEqual({ url: null, timeoutMs: 300_000, tokenTtlSeconds: 604_800 });
    expect(parseDiscoveryFlags({ discovery: url, discoveryTimeout: '30s', discoveryTokenTtl: '2h' }))
      .toEqual({ url, timeoutMs: 30_000, tokenTtlSeconds: 7200 });
  });

  it('flags: --discovery with --initial-cluster is refused', () => {
    expect(parseDiscoveryFlags({ discovery: url, initialCluster: 'a=http://127.0.0.1:2380' }))
      .toBe('--discovery and --initial-cluster cannot be used together: with --discovery the members '
        + 'are found through the token; give one or the other');
  });

  it('flags: bad values name the flag', () => {
    expect(parseDiscoveryFlags({ discovery: url, initialClusterState: 'existing' })).toContain('--initial-cluster-state existing');
    expect(parseDiscoveryFlags({ discovery: 'not a url' })).toContain('--discovery: "not a url" is not a URL');
    expect(parseDiscoveryFlags({ discovery: 'http://127.0.0.1:2379' })).toContain('has no token path');
    expect(parseDiscoveryFlags({ discoveryTimeout: 'soon' })).toContain('--discovery-timeout');
    expect(parseDiscoveryFlags({ discoveryTokenTtl: '10ms' })).toContain('--discovery-token-ttl');
  });

  it('durations: Go-like spellings', () => {
    expect(parseDurationMs('1500ms')).toBe(1500);
    expect(parseDurationMs('5m')).toBe(300_000);
    expect(parseDurationMs('7d')).toBe(604_800_000);
    expect(parseDurationMs('12')).toBe(12_000);
    expect(parseDurationMs('x')).toBeNull();
    expect(formatDurationMs(300_000)).toBe('5m0s');
    expect(formatDurationMs(2000)).toBe('2s');
    expect(formatDurationMs(1985)).toBe('2s');
    expect(formatDurationMs(1600)).toBe('1.6s');
    expect(formatDurationMs(61_400)).toBe('1m1s');
  });
});

describe('discovery registry', () => {
  it('registry: parses name=url lists, sorts by createdIndex, skips hidden keys', () => {
    const list = registrationsOf({
      nodes: [
        { key: '/_etcd/registry/t/b2', value: 'm2=http://h:2', createdIndex: 9 },
        { key: '/_etcd/registry/t/_config', dir: true, createdIndex: 1 },
        { key: '/_etcd/registry/t/a1', value: 'm1=http://h:1b,m1=http://h:1a', createdIndex: 8 },
      ],
    });
    expect(typeof list === 'string' ? list : list.map((r) => [r.id, r.name, r.peerUrls])).toEqual([
      ['a1', 'm1', ['http://h:1a', 'http://h:1b']], ['b2', 'm2', ['http://h:2']],
    ]);
  });

  it('registry: malformed values and duplicates are found', () => {
    expect(parseRegistration({ key: '/t/x', value: 'garbage' })).toContain('not name=peerURL');
    expect(parseRegistration({ key: '/t/x', value: 'a=http://h:1,b=http://h:2' })).toContain('names several members');
    const a = parseRegistration({ key: '/t/a', value: 'm=http://h:1', createdIndex: 1 });
    const b = parseRegistration({ key: '/t/b', value: 'n=http://h:1', createdIndex: 2 });
    if (typeof a === 'string' || typeof b === 'string') throw new Error('parse');
    expect(findDuplicate([a, b])).toMatchObject({ what: 'peer URL', shared: 'http://h:1' });
  });

  it('messages: the service of a token URL, for /new hints', () => {
    expect(serviceOf(url)).toBe('http://127.0.0.1:2379');
    expect(serviceOf('https://discovery.etcd.io/0123456789abcdef0123456789abcdef')).toBe('https://discovery.etcd.io');
  });
});
