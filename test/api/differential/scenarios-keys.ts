// Differential scenarios: sets, gets, directories, listings, deletes, hidden keys, the root,
// key spelling in paths, and where a value comes from (form body, query, other bodies).

import { del, get, head, post, put, scenario, setup, type Scenario } from './scenario.js';

const json = 'application/json';

export const keyScenarios: readonly Scenario[] = [
  scenario('set: new key answers 201, get answers it', [put('~/a', 'value=one'), get('~/a')]),
  scenario('set: existing key answers 200 with prevNode', [
    put('~/a', 'value=one'),
    put('~/a', 'value=two'),
    get('~/a'),
  ]),
  scenario('get: missing key is 100 with the key as cause', [get('~/missing')]),
  scenario('get: cause is the first missing component', [
    setup('PUT', '~/d/x', 'value=one'),
    get('~/d/nope/deeper/still'),
    get('~/nope/a/b'),
  ]),
  scenario('get: below a file', [put('~/f', 'value=one'), get('~/f/child')]),
  scenario('set: below a file is 104', [put('~/f', 'value=one'), put('~/f/child', 'value=two')]),
  scenario('set: creates missing parent directories', [
    put('~/p/q/r', 'value=deep'),
    get('~/p'),
    get('~/p/q'),
  ]),
  scenario('get: directory listing, one level and recursive', [
    setup('PUT', '~/d/a', 'value=one'),
    setup('PUT', '~/d/sub/b', 'value=two'),
    get('~/d'),
    get('~/d?recursive=true'),
    get('~/d/?recursive=true'),
  ]),
  scenario('get: sorted listing', [
    setup('PUT', '~/d/c', 'value=three'),
    setup('PUT', '~/d/a', 'value=one'),
    setup('PUT', '~/d/b', 'value=two'),
    get('~/d'),
    get('~/d?sorted=true'),
  ]),
  scenario('get: recursive sorted listing of nested directories', [
    setup('PUT', '~/d/z/y', 'value=one'),
    setup('PUT', '~/d/z/a', 'value=two'),
    setup('PUT', '~/d/b/x', 'value=three'),
    setup('PUT', '~/d/a', 'value=four'),
    get('~/d?recursive=true&sorted=true'),
  ]),
  scenario('get: sorted=false and recursive=false spellings', [
    setup('PUT', '~/d/b', 'value=one'),
    setup('PUT', '~/d/a', 'value=two'),
    get('~/d?sorted=false&recursive=0'),
  ]),
  scenario('value: special characters in the form body', [
    put('~/s', 'value=' + encodeURIComponent('a b&c=d+e/f?g%h ünïcödé 🙂')),
    get('~/s'),
  ]),
  scenario('value: plus decodes to a space', [put('~/s', 'value=a+b+c'), get('~/s')]),
  scenario('value: from the query string alone', [put('~/q?value=fromquery'), get('~/q')]),
  scenario('value: form body wins over the query', [put('~/q?value=fromquery', 'value=frombody')]),
  scenario('value: the first of repeated values', [
    put('~/q', 'value=first&value=second'),
    put('~/r?value=first&value=second'),
  ]),
  scenario('value: a JSON body is not read', [
    put('~/j', '{"value":"json"}', { contentType: json }),
    put('~/k?value=fromquery', 'value=frombody', { contentType: json }),
  ]),
  scenario('value: a body without content type is not read', [
    put('~/n', 'value=nobody', { contentType: null }),
    put('~/t', 'value=text', { contentType: 'text/plain' }),
  ]),
  scenario('value: form content type with parameters and capitals', [
    put('~/c', 'value=charset', {
      contentType: 'application/x-www-form-urlencoded; charset=utf-8',
    }),
    put('~/u', 'value=upper', { contentType: 'APPLICATION/X-WWW-FORM-URLENCODED' }),
  ]),
  scenario('value: empty and absent', [put('~/e', 'value='), put('~/f'), get('~/f')]),
  scenario('value: a multipart body is not read', [
    put('~/m', '--b\r\nContent-Disposition: form-data; name="value"\r\n\r\nx\r\n--b--\r\n', {
      contentType: 'multipart/form-data; boundary=b',
    }),
  ]),
  scenario('key: escaped spaces, question marks and unicode', [
    put('~/sp%20ace', 'value=one'),
    put('~/q%3Fmark', 'value=two'),
    put('~/%C3%BCml', 'value=three'),
    get('~?sorted=true'),
  ]),
  scenario('key: %2F is a path separator', [
    put('~%2Fa%2Fb', 'value=one'),
    get('~/a/b'),
    get('~%2Fa'),
  ]),
  scenario('key: trailing slash names the same key', [
    put('~/t/', 'value=one'),
    get('~/t/'),
    get('~/t'),
  ]),
  scenario('key: dots and odd characters inside names', [
    put('~/a.b', 'value=one'),
    put('~/...x', 'value=two'),
    put('~/a:b@c', 'value=three'),
    get('~?sorted=true'),
  ]),
  scenario('dir: create answers 201; again is 102', [
    put('~/d', 'dir=true'),
    put('~/d', 'dir=true'),
    get('~/d'),
  ]),
  scenario('dir: dir=true on a file replaces it', [
    put('~/f', 'value=one'),
    put('~/f', 'dir=true'),
    get('~/f'),
  ]),
  scenario('dir: a value on a directory is 102', [put('~/d', 'dir=true'), put('~/d', 'value=one')]),
  scenario('dir: dir=true with a value makes a directory', [
    put('~/d', 'dir=true&value=ignored'),
    get('~/d'),
  ]),
  scenario('dir: empty directory listing has no nodes', [
    put('~/d', 'dir=true'),
    get('~/d?recursive=true'),
  ]),
  scenario('delete: a file', [setup('PUT', '~/f', 'value=one'), del('~/f'), get('~/f')]),
  scenario('delete: a missing key', [del('~/missing'), del('~/a/b')]),
  scenario('delete: a directory needs dir=true', [
    setup('PUT', '~/d', 'dir=true'),
    del('~/d'),
    del('~/d?dir=true'),
  ]),
  scenario('delete: a non-empty directory needs recursive', [
    setup('PUT', '~/d/a', 'value=one'),
    del('~/d?dir=true'),
    del('~/d?recursive=true'),
    get('~/d/a'),
  ]),
  scenario('delete: recursive alone removes a directory', [
    setup('PUT', '~/d/e/f', 'value=one'),
    del('~/d/e?recursive=true'),
    get('~/d?recursive=true'),
  ]),
  scenario('delete: a file with dir=true or recursive=true', [
    setup('PUT', '~/f', 'value=one'),
    setup('PUT', '~/g', 'value=two'),
    del('~/f?dir=true'),
    del('~/g?recursive=true'),
  ]),
  scenario('delete: the form body is ignored', [
    setup('PUT', '~/f', 'value=one'),
    del('~/f', 'prevValue=wrong'),
    setup('PUT', '~/g', 'dir=true'),
    del('~/g', 'dir=true'),
  ]),
  scenario('hidden: hidden keys are left out of listings', [
    setup('PUT', '~/d/_h', 'value=hidden'),
    setup('PUT', '~/d/v', 'value=visible'),
    setup('PUT', '~/d/_hd/x', 'value=inner'),
    get('~/d'),
    get('~/d?recursive=true'),
  ]),
  scenario('hidden: a hidden key is readable by name', [
    put('~/_h', 'value=hidden'),
    get('~/_h'),
    put('~/_hd/x', 'value=inner'),
    get('~/_hd?recursive=true'),
  ]),
  scenario('hidden: deleting a directory that holds hidden keys', [
    setup('PUT', '~/d/_h', 'value=hidden'),
    del('~/d?dir=true'),
    del('~/d?recursive=true'),
  ]),
  scenario('root: reading the root', [
    setup('PUT', '~/a', 'value=one'),
    get('/v2/keys/'),
    get('/v2/keys'),
  ]),
  scenario('root: the root is read only', [
    put('/v2/keys/', 'value=one'),
    put('/v2/keys/', 'dir=true'),
    del('/v2/keys/?recursive=true'),
    del('/v2/keys/?dir=true'),
    put('/v2/keys', 'prevValue=x&value=y'),
  ]),
  scenario('head: HEAD answers GET headers without a body', [
    setup('PUT', '~/a', 'value=one'),
    head('~/a'),
    head('~/missing'),
  ]),
  scenario('value: a large JSON body is never read', [
    put('~/j', JSON.stringify({ value: 'x'.repeat(2_000_000) }), { contentType: json }),
  ]),
  scenario('value: a malformed content type', [
    put('~/a', 'value=one', { contentType: 'foo' }),
    put('~/b', 'value=one', { contentType: 'application/x-www-form-urlencoded; charset' }),
    put('~/c', 'value=one', { contentType: '' }),
    put('~/d', 'value=one', { contentType: 'text/' }),
    put('~/e', 'value=one', { contentType: 'a/b/c' }),
    put('~/f', 'value=one', { contentType: ';x=y' }),
    put('~/g', 'value=one', { contentType: 'application/x-www-form-urlencoded; a=1; a=2' }),
    put('~/h', 'value=one', { contentType: 'application/x-www-form-urlencoded; a="q;x"' }),
    put('~/i', 'value=one', { contentType: 'application/x-www-form-urlencoded;' }),
    del('~/a', 'value=one', { contentType: 'foo;bar' }),
  ]),
  scenario('get: quorum reads', [
    setup('PUT', '~/a', 'value=one'),
    get('~/a?quorum=true'),
    get('~/b?quorum=true'),
  ]),
  scenario('head: a directory and an error', [
    setup('PUT', '~/d/a', 'value=one'),
    head('~/d?recursive=true'),
    head('~/d/a/b'),
  ]),
  scenario('post: a JSON body still creates an in-order key', [
    post('~/q', '{"value":"x"}', { contentType: json }),
  ]),
];
