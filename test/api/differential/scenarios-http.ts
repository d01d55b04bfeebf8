// Differential scenarios: the HTTP layer around the keys: unknown paths (404), wrong methods
// (405 and Allow), OPTIONS, ServeMux's 301s for unclean paths, undecodable targets, and the
// shape of /version, /health, /v2/members, /v2/machines and /v2/stats/*.

import { call, get, head, put, scenario, setup, type Scenario } from './scenario.js';

const shape = { mask: 'shape' as const };

export const httpScenarios: readonly Scenario[] = [
  scenario('404: unknown paths', [
    get('/nope'),
    get('/v2'),
    get('/v2/nope'),
    get('/'),
    call('POST', '/nope'),
  ]),
  scenario('404: stats paths that do not exist', [
    get('/v2/stats'),
    get('/v2/stats/'),
    get('/v2/stats/self/'),
    get('/v2/stats/nope'),
  ]),
  scenario('404: near misses of real paths', [
    get('/version/'),
    get('/healthz'),
    get('/v2/key'),
    get('/v2/keysx'),
  ]),
  scenario('405: keys with other methods', [call('PATCH', '~/a'), call('TRACE', '~/a')]),
  scenario('405: version and health are GET only', [
    call('POST', '/version'),
    call('PUT', '/health'),
    call('DELETE', '/version'),
    head('/version'),
    head('/health'),
  ]),
  scenario('405: stats are GET only', [
    call('POST', '/v2/stats/self'),
    call('PUT', '/v2/stats/store'),
    head('/v2/stats/leader'),
  ]),
  scenario('405: members without an Allow header', [
    call('PUT', '/v2/members'),
    call('DELETE', '/v2/members'),
  ]),
  scenario('405: machines allows GET and HEAD', [
    call('POST', '/v2/machines'),
    head('/v2/machines'),
  ]),
  scenario('options: any path answers 200 and CORS', [
    call('OPTIONS', '~/a'),
    call('OPTIONS', '/nope'),
    call('OPTIONS', '/version'),
    call('OPTIONS', '/v2/keys//a/../b'),
  ]),
  scenario('301: doubled slashes', [
    get('/v2/keys//a'),
    get('/v2//keys/a'),
    get('//v2/keys/a'),
    get('~//a//b'),
  ]),
  scenario('301: dot segments', [
    get('/v2/keys/a/../b'),
    get('/v2/keys/./a'),
    get('/v2/keys/a/..'),
    get('/a/../version'),
  ]),
  scenario('301: keeps the query and a trailing slash', [
    get('/v2/keys/a//?x=1&y=2'),
    get('/v2/keys//a/?recursive=true'),
  ]),
  scenario('301: other methods get no body', [
    put('/v2/keys//a', 'value=one'),
    call('DELETE', '/v2/keys/a/../b'),
    call('POST', '/v2/keys/./q'),
    head('/v2/keys//a'),
  ]),
  scenario('301: escaped slashes and dots count once decoded', [
    get('/v2/keys/a%2F%2Fb'),
    get('/v2/keys/a/%2E%2E/b'),
    get('/v2/keys/a%2F..%2Fb'),
  ]),
  scenario('301: escapes the cleaned path in Location', [
    get('/v2/keys//sp%20ace/%3Fq'),
    get('/v2/keys//%C3%BC'),
  ]),
  scenario('301: on unknown paths too', [
    get('/nope//x'),
    call('PUT', '/nope//x'),
    get('/version//'),
  ]),
  scenario('400: an undecodable target', [
    get('/v2/keys/%zz'),
    get('/v2/keys/a%2'),
    get('/nope%g0'),
  ]),
  scenario('keys: /v2/keys and /v2/keys/ are the root', [
    get('/v2/keys', shape),
    get('/v2/keys/', shape),
  ]),
  scenario('keys: the prefix with an escaped slash', [
    setup('PUT', '~/a', 'value=one'),
    get('/v2%2Fkeys/kvd-differential-missing'),
  ]),
  scenario('version: shape', [get('/version', shape)], { deviation: 'version-field' }),
  scenario('health: a healthy member', [get('/health')]),
  scenario('members: list shape', [get('/v2/members', shape), get('/v2/members/', shape)]),
  scenario('members: leader shape and unknown member', [
    get('/v2/members/leader', shape),
    get('/v2/members/abc'),
  ]),
  scenario('members: HEAD', [head('/v2/members'), head('/v2/members/leader')]),
  scenario(
    'members: adding a member is not served',
    [
      call('POST', '/v2/members'),
      call('DELETE', '/v2/members/abc'),
      call('PUT', '/v2/members/abc'),
    ],
    { deviation: 'members-write' },
  ),
  scenario('machines: client URLs as text', [get('/v2/machines', shape)]),
  scenario('stats: self, store and leader shapes', [
    get('/v2/stats/self', shape),
    get('/v2/stats/leader', shape),
  ]),
  scenario('stats: store shape', [get('/v2/stats/store', shape)]),
];
