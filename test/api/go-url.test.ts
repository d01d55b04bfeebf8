// Go's URL, form and media-type rules as re-implemented in src/api/go-url.ts: fixed cases
// observed on etcd 3.4, and properties against simple twins (round trips, idempotence).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalPath,
  cleanPath,
  escapePath,
  goMediaType,
  goQuote,
  goUnescape,
  parseGoBool,
  parseGoForm,
  parseGoQuery,
  parseGoUint64,
} from '../../src/api/go-url.js';

/** Any code points but lone surrogates (fast-check's 'binary' unit is slow to set up). */
const codePoint = fc.integer({ min: 0, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff);
const unicodeText = fc
  .array(codePoint, { maxLength: 40 })
  .map((points) => String.fromCodePoint(...points));

describe('go-url: unescaping', () => {
  it('decodes %XX as UTF-8 bytes, and + only in forms', () => {
    expect(goUnescape('a%20b+c%C3%BC', true)).toEqual({ value: 'a b cü' });
    expect(goUnescape('a%20b+c', false)).toEqual({ value: 'a b+c' });
  });

  it('reports a bad escape as Go does: at most three characters from the %', () => {
    expect(goUnescape('ab%zz12', true)).toEqual({ bad: '%zz' });
    expect(goUnescape('ab%2', true)).toEqual({ bad: '%2' });
    expect(goUnescape('%', false)).toEqual({ bad: '%' });
  });

  it('quotes causes like strconv.Quote', () => {
    expect(goQuote('%zz')).toBe('"%zz"');
    expect(goQuote('a"b\\c\n\u0001')).toBe('"a\\"b\\\\c\\n\\x01"');
  });

  it('escapePath round-trips through the path decoder (property)', () => {
    fc.assert(
      fc.property(unicodeText, (text) => {
        const decoded = goUnescape(escapePath(text), false);
        return 'value' in decoded && decoded.value === text;
      }),
    );
  });
});

describe('go-url: forms', () => {
  it('keeps every value in order and the first error', () => {
    const form = new Map<string, string[]>();
    expect(parseGoQuery('a=1&&b&a=2&c=%zz&d=%qq&=e', form)).toBe('invalid URL escape "%zz"');
    expect([...form]).toEqual([
      ['a', ['1', '2']],
      ['b', ['']],
      ['', ['e']],
    ]);
  });

  it('refuses any piece with a semicolon but parses the rest', () => {
    const form = new Map<string, string[]>();
    expect(parseGoQuery('a=1;b=2&c=3', form)).toBe('invalid semicolon separator in query');
    expect([...form]).toEqual([['c', ['3']]]);
  });

  it('puts body values before query values; the body error wins', () => {
    const parsed = parseGoForm('value=body', 'value=query&x=1');
    expect(parsed).toEqual({
      ok: true,
      form: new Map([
        ['value', ['body', 'query']],
        ['x', ['1']],
      ]),
    });
    expect(parseGoForm('a=%q1', 'b=%zz')).toEqual({ ok: false, error: 'invalid URL escape "%q1"' });
  });

  it('round-trips names and values encoded as a browser would (property)', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 12 });
    fc.assert(
      fc.property(fc.array(fc.tuple(text, text), { maxLength: 6 }), (pairs) => {
        const query = pairs
          .map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`)
          .join('&');
        const form = new Map<string, string[]>();
        expect(parseGoQuery(query, form)).toBeNull();
        const expected = new Map<string, string[]>();
        for (const [n, v] of pairs) expected.set(n, [...(expected.get(n) ?? []), v]);
        expect(form).toEqual(expected);
      }),
    );
  });
});

describe('go-url: paths', () => {
  it('cleans as path.Clean and keeps a trailing slash like ServeMux', () => {
    expect(cleanPath('/a//b/./c/../d')).toBe('/a/b/d');
    expect(cleanPath('/../..')).toBe('/');
    expect(canonicalPath('/v2/keys/a//')).toBe('/v2/keys/a/');
    expect(canonicalPath('/v2/keys/a/..')).toBe('/v2/keys');
    expect(canonicalPath('/')).toBe('/');
  });

  it('canonical paths are fixed points without empty, "." or ".." segments (property)', () => {
    const segment = fc.constantFrom('', '.', '..', 'a', 'b', '...', '_x');
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 8 }), (segments) => {
        const clean = canonicalPath('/' + segments.join('/'));
        expect(canonicalPath(clean)).toBe(clean);
        const inner = clean.slice(1, clean.endsWith('/') ? -1 : undefined);
        if (inner !== '') expect(inner.split('/')).not.toContain('');
        expect(clean.split('/')).not.toContain('.');
        expect(clean.split('/')).not.toContain('..');
      }),
    );
  });
});

describe('go-url: numbers, booleans, media types', () => {
  it('parses uint64 in base 10 only', () => {
    expect(parseGoUint64('007')).toBe(7n);
    expect(parseGoUint64('18446744073709551615')).toBe(18446744073709551615n);
    for (const bad of ['', '+1', '-1', '1.0', '1e3', ' 1', '0x1', '18446744073709551616']) {
      expect(parseGoUint64(bad), bad).toBeNull();
    }
  });

  it("accepts exactly strconv.ParseBool's twelve spellings", () => {
    for (const yes of ['1', 't', 'T', 'TRUE', 'true', 'True']) expect(parseGoBool(yes)).toBe(true);
    for (const no of ['0', 'f', 'F', 'FALSE', 'false', 'False'])
      expect(parseGoBool(no)).toBe(false);
    for (const bad of ['', 'yes', 'tRUE', 'on', ' true']) expect(parseGoBool(bad)).toBeNull();
  });

  it("classifies content types as Go's form reader does (observed on etcd)", () => {
    const cases: [string | undefined, boolean, string | null][] = [
      [undefined, false, null],
      ['', false, null],
      ['foo', false, null],
      ['APPLICATION/X-WWW-FORM-URLENCODED', true, null],
      ['application/x-www-form-urlencoded; charset=utf-8', true, null],
      ['application/x-www-form-urlencoded;', true, null],
      ['application/x-www-form-urlencoded; a="q;x"', true, null],
      ['application/x-www-form-urlencoded; charset', true, 'mime: invalid media parameter'],
      ['application/x-www-form-urlencoded; a=1; A=2', true, 'mime: duplicate parameter name'],
      ['text/', false, 'mime: expected token after slash'],
      ['a/b/c', false, 'mime: unexpected content after media subtype'],
      [';x=y', false, 'mime: no media type'],
    ];
    for (const [header, form, error] of cases) {
      expect(goMediaType(header), String(header)).toEqual({ form, error });
    }
  });
});
