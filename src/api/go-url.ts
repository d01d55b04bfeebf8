// The parts of Go's net/url and net/http request handling that etcd's v2 API exposes on the
// wire, re-implemented from observed behaviour: percent-decoding of paths and forms, form
// parsing (';' refused, first error wins), path cleaning for ServeMux's 301s, and the quoting
// Go uses in error causes. Pure string functions; imports nothing from kvd.

/** A form as Go keeps it: names in first-seen order, every value of a name in order. */
export type GoForm = Map<string, string[]>;

/** A parsed form, or the first error Go's parser met (its text is etcd's 210 cause). */
export type GoFormResult = { ok: true; form: GoForm } | { ok: false; error: string };

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Percent-decodes as Go does: '%XX' with two hex digits is a byte; '+' is a space only in
 * forms (`plusIsSpace`). Returns null for a malformed escape, and the escape's text in `bad`.
 */
export function goUnescape(
  text: string,
  plusIsSpace: boolean,
): { value: string } | { bad: string } {
  if (!text.includes('%') && !(plusIsSpace && text.includes('+'))) return { value: text };
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < text.length;) {
    const char = text[i]!;
    if (char === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return { bad: text.slice(i, i + 3) };
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else if (char === '+' && plusIsSpace) {
      bytes.push(0x20);
      i += 1;
    } else {
      const codePoint = text.codePointAt(i)!;
      const width = codePoint > 0xffff ? 2 : 1;
      for (const byte of encoder.encode(text.slice(i, i + width))) bytes.push(byte);
      i += width;
    }
  }
  return { value: utf8.decode(Uint8Array.from(bytes)) };
}

/** Go's strconv.Quote for the short strings that appear in causes. */
export function goQuote(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '"' || char === '\\') out += '\\' + char;
    else if (code === 0x0a) out += '\\n';
    else if (code === 0x09) out += '\\t';
    else if (code === 0x0d) out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += char;
  }
  return out + '"';
}

/**
 * Parses `a=1&b=2` into `form` (appending), as Go's url.ParseQuery: empty pieces are skipped,
 * a piece containing ';' is refused, names and values are form-unescaped. Parsing goes on
 * after an error; the first error is returned (null when there was none).
 */
export function parseGoQuery(text: string, form: GoForm): string | null {
  let firstError: string | null = null;
  const fail = (error: string): void => {
    if (firstError === null) firstError = error;
  };
  for (const piece of text.split('&')) {
    if (piece === '') continue;
    if (piece.includes(';')) {
      fail('invalid semicolon separator in query');
      continue;
    }
    const equals = piece.indexOf('=');
    const rawName = equals < 0 ? piece : piece.slice(0, equals);
    const rawValue = equals < 0 ? '' : piece.slice(equals + 1);
    const name = goUnescape(rawName, true);
    if ('bad' in name) {
      fail(`invalid URL escape ${goQuote(name.bad)}`);
      continue;
    }
    const value = goUnescape(rawValue, true);
    if ('bad' in value) {
      fail(`invalid URL escape ${goQuote(value.bad)}`);
      continue;
    }
    const values = form.get(name.value);
    if (values === undefined) form.set(name.value, [value.value]);
    else values.push(value.value);
  }
  return firstError;
}

/**
 * Go's Request.ParseForm for etcd's purposes: the form body's values come first (so they win
 * over the query's), then the query's. `body` is undefined when the request has no form body.
 */
export function parseGoForm(body: string | undefined, query: string): GoFormResult {
  const form: GoForm = new Map();
  const bodyError = body === undefined ? null : parseGoQuery(body, form);
  const queryError = parseGoQuery(query, form);
  const error = bodyError ?? queryError;
  return error === null ? { ok: true, form } : { ok: false, error };
}

/** Lexical path cleaning as Go's path.Clean: no '//', no '.', '..' climbs, never above '/'. */
export function cleanPath(path: string): string {
  const rooted = path.startsWith('/');
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!rooted) parts.push('..');
      continue;
    }
    parts.push(part);
  }
  const joined = parts.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}

/** The path ServeMux wants for `path`: cleaned, keeping a trailing slash. */
export function canonicalPath(path: string): string {
  const rooted = path.startsWith('/') ? path : '/' + path;
  let clean = cleanPath(rooted);
  if (rooted.endsWith('/') && clean !== '/') clean += '/';
  return clean;
}

/** Escapes a decoded path for a URL (Location header, routing) as Go's URL.EscapedPath. */
export function escapePath(path: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(path)) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~$&+,/:;=@]/.test(char)) out += char;
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Escapes what Go's HTML escaper does in a redirect body's link. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&#34;')
    .replaceAll("'", '&#39;');
}

/** Go's strconv.ParseUint(text, 10, 64): digits only, no sign, at most 2^64 - 1. */
export function parseGoUint64(text: string): bigint | null {
  if (!/^[0-9]+$/.test(text)) return null;
  const value = BigInt(text);
  return value <= 0xffff_ffff_ffff_ffffn ? value : null;
}

/** What Go's form reader makes of a Content-Type: a form body or not, and its error. */
export interface GoMediaType {
  readonly form: boolean;
  /** Go's ParseMediaType error text, which etcd answers as a 210 cause; null when none. */
  readonly error: string | null;
}

const formMediaType = 'application/x-www-form-urlencoded';
/** An RFC 7230 token, as Go's mime package reads one. */
const token = String.raw`[!#$%&'*+\-.^_${'`'}|~0-9A-Za-z]+`;
const quoted = String.raw`"(?:[^"\\]|\\.)*"`;
const tokenPattern = new RegExp(`^${token}`);

/**
 * Classifies a request's Content-Type as Go's ParseForm does: absent or empty is not a form;
 * the media type is a token, optionally '/' and a second token; parameters must be
 * `name=token` or `name="quoted"`, each name once. A bad parameter still leaves the type.
 */
export function goMediaType(header: string | undefined): GoMediaType {
  if (header === undefined || header === '') return { form: false, error: null };
  const semicolon = header.indexOf(';');
  const type = (semicolon < 0 ? header : header.slice(0, semicolon)).trim().toLowerCase();
  const typeError = mediaTypeError(type);
  if (typeError !== null) return { form: false, error: typeError };
  const form = type === formMediaType;
  const params = semicolon < 0 ? '' : header.slice(semicolon);
  return { form, error: mediaParamsError(params) };
}

function mediaTypeError(type: string): string | null {
  const first = tokenPattern.exec(type)?.[0] ?? '';
  if (first === '') return 'mime: no media type';
  const rest = type.slice(first.length);
  if (rest === '') return null;
  if (!rest.startsWith('/')) return 'mime: expected slash after first token';
  const second = tokenPattern.exec(rest.slice(1))?.[0] ?? '';
  if (second === '') return 'mime: expected token after slash';
  if (rest.length > second.length + 1) return 'mime: unexpected content after media subtype';
  return null;
}

/** `; name=token` or `; name="quoted"`, with optional spaces. */
const mediaParamPattern = new RegExp(String.raw`^;\s*(${token})\s*=\s*(${token}|${quoted})`);

function mediaParamsError(params: string): string | null {
  const seen = new Set<string>();
  let rest = params;
  // Each round consumes at least one character.
  for (let round = 0; round <= params.length; round++) {
    rest = rest.trimStart();
    if (rest === '') return null;
    const param = mediaParamPattern.exec(rest);
    if (param === null) {
      if (/^;\s*$/.test(rest)) return null;
      return 'mime: invalid media parameter';
    }
    const name = param[1]!.toLowerCase();
    if (seen.has(name)) return 'mime: duplicate parameter name';
    seen.add(name);
    rest = rest.slice(param[0].length);
  }
  return 'mime: invalid media parameter';
}

const goBooleans: ReadonlyMap<string, boolean> = new Map([
  ['1', true],
  ['t', true],
  ['T', true],
  ['TRUE', true],
  ['true', true],
  ['True', true],
  ['0', false],
  ['f', false],
  ['F', false],
  ['FALSE', false],
  ['false', false],
  ['False', false],
]);

/** Go's strconv.ParseBool: the twelve spellings it accepts, else null. */
export function parseGoBool(text: string): boolean | null {
  return goBooleans.get(text) ?? null;
}
