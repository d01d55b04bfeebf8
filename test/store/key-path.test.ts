// Key paths and node rendering helpers: normalisation, the below/hidden relations, in-order
// keys, RFC 3339 expirations and ttl rounding.

import { describe, expect, it } from 'vitest';
import {
  inOrderKey,
  isBelow,
  isHiddenBelow,
  isNormalKey,
  normalizeKey,
  parentKey,
} from '../../src/store/v2/key-path.js';
import { compareKeys, formatExpiration, ttlSecondsLeft } from '../../src/store/v2/node.js';

describe('key path', () => {
  it('key path: normalizeKey cleans slashes, dots and trailing slashes', () => {
    const cases: [string, string][] = [
      ['', '/'],
      ['/', '/'],
      ['//', '/'],
      ['a', '/a'],
      ['/a//b/', '/a/b'],
      ['/a/./b/../c', '/a/c'],
      ['/../..', '/'],
      ['/_x/y', '/_x/y'],
    ];
    for (const [raw, key] of cases) {
      expect(normalizeKey(raw), raw).toBe(key);
      expect(isNormalKey(key)).toBe(true);
    }
    expect(isNormalKey('/a/')).toBe(false);
    expect(isNormalKey('a')).toBe(false);
  });

  it('key path: isBelow is strict and component-wise', () => {
    expect(isBelow('/a/b', '/a')).toBe(true);
    expect(isBelow('/ab', '/a')).toBe(false);
    expect(isBelow('/a', '/a')).toBe(false);
    expect(isBelow('/a', '/')).toBe(true);
    expect(isBelow('/', '/')).toBe(false);
    expect(parentKey('/a')).toBe('/');
    expect(parentKey('/a/b')).toBe('/a');
  });

  it('key path: isHiddenBelow looks only at components below the watched key', () => {
    expect(isHiddenBelow('/h', '/h/_new')).toBe(true);
    expect(isHiddenBelow('/h', '/h/sub/_q')).toBe(true);
    expect(isHiddenBelow('/', '/_a/b')).toBe(true);
    expect(isHiddenBelow('/h/_new2', '/h/_new2/deep')).toBe(false);
    expect(isHiddenBelow('/h', '/h/sub/vv')).toBe(false);
    expect(isHiddenBelow('/h/_x', '/h/_x')).toBe(false);
  });

  it('key path: inOrderKey pads the index to 20 digits', () => {
    expect(inOrderKey('/q', 61)).toBe('/q/00000000000000000061');
    expect(inOrderKey('/', 17)).toBe('/00000000000000000017');
  });
});

describe('node rendering', () => {
  it("node rendering: formatExpiration is RFC 3339 UTC with the fraction's zeros trimmed", () => {
    const base = Date.UTC(2026, 10, 25, 12, 47, 28);
    expect(formatExpiration(base)).toBe('2026-11-25T12:47:28Z');
    expect(formatExpiration(base + 500)).toBe('2026-11-25T12:47:28.5Z');
    expect(formatExpiration(base + 517)).toBe('2026-11-25T12:47:28.517Z');
    expect(formatExpiration(base + 10)).toBe('2026-11-25T12:47:28.01Z');
  });

  it('node rendering: ttlSecondsLeft rounds up and stops at 0', () => {
    expect(ttlSecondsLeft(10_000, 0)).toBe(10);
    expect(ttlSecondsLeft(10_000, 1)).toBe(10);
    expect(ttlSecondsLeft(10_000, 1000)).toBe(9);
    expect(ttlSecondsLeft(10_000, 9999)).toBe(1);
    expect(ttlSecondsLeft(10_000, 10_000)).toBe(0);
    expect(ttlSecondsLeft(10_000, 99_999)).toBe(0);
  });

  it('node rendering: compareKeys is code point order', () => {
    const keys = ['/b', '/\u{10000}', '/a', '/\uFFFF', '/ab', '/'];
    expect([...keys].sort(compareKeys)).toEqual(['/', '/a', '/ab', '/b', '/\uFFFF', '/\u{10000}']);
    expect(compareKeys('/a', '/a')).toBe(0);
  });
});
