// Differential scenarios: conditional writes (prevValue, prevIndex, prevExist, their mixes),
// compare-and-delete, in-order POST keys, TTLs (set, clear, refresh, expire) and
// noValueOnSuccess.

import { del, get, post, put, scenario, setup, sleep, type Scenario } from './scenario.js';

export const compareScenarios: readonly Scenario[] = [
  scenario('cas: prevValue matches', [
    setup('PUT', '~/a', 'value=one'),
    put('~/a', 'value=two&prevValue=one'),
    get('~/a'),
  ]),
  scenario('cas: prevValue differs is 101', [
    setup('PUT', '~/a', 'value=one'),
    put('~/a', 'value=two&prevValue=other'),
  ]),
  scenario('cas: prevValue on a missing key is 100', [put('~/a', 'value=two&prevValue=one')]),
  scenario('cas: prevIndex matches', [
    setup('PUT', '~/a', 'value=one'),
    put('~/a', 'value=two&prevIndex={+1}'),
  ]),
  scenario('cas: prevIndex differs is 101', [
    setup('PUT', '~/a', 'value=one'),
    put('~/a', 'value=two&prevIndex={+7}'),
  ]),
  scenario('cas: prevIndex and prevValue both checked', [
    setup('PUT', '~/a', 'value=one'),
    put('~/a', 'value=two&prevIndex={+1}&prevValue=other'),
    put('~/a', 'value=two&prevIndex={+9}&prevValue=one'),
    put('~/a', 'value=two&prevIndex={+9}&prevValue=other'),
    put('~/a', 'value=two&prevIndex={+1}&prevValue=one'),
  ]),
  scenario('cas: prevIndex=0 means no prevIndex', [
    setup('PUT', '~/a', 'value=one'),
    put('~/a', 'value=two&prevIndex=0'),
  ]),
  scenario('cas: on a directory is 102', [
    setup('PUT', '~/d', 'dir=true'),
    put('~/d', 'value=two&prevValue=one'),
    put('~/d', 'value=two&prevIndex={+1}'),
  ]),
  scenario('cas: keeps or sets a TTL', [
    setup('PUT', '~/a', 'value=one&ttl=500'),
    put('~/a', 'value=two&prevValue=one&ttl=600'),
    put('~/a', 'value=three&prevValue=two'),
  ]),
  scenario('cas: from the query with the value in the body', [
    setup('PUT', '~/a', 'value=one'),
    put('~/a?prevValue=one', 'value=two'),
  ]),
  scenario('prevExist: true on a missing key is 100', [put('~/a', 'value=one&prevExist=true')]),
  scenario('prevExist: true on a key updates it', [
    setup('PUT', '~/a', 'value=one'),
    put('~/a', 'value=two&prevExist=true'),
    get('~/a'),
  ]),
  scenario('prevExist: false on a missing key creates it', [
    put('~/a', 'value=one&prevExist=false'),
    get('~/a'),
  ]),
  scenario('prevExist: false on an existing key is 105', [
    setup('PUT', '~/a', 'value=one'),
    put('~/a', 'value=two&prevExist=false'),
  ]),
  scenario('prevExist: false creates a directory', [
    put('~/d', 'dir=true&prevExist=false'),
    put('~/d', 'dir=true&prevExist=false'),
  ]),
  scenario('prevExist: false with prevValue', [
    setup('PUT', '~/a', 'value=one'),
    put('~/a', 'value=two&prevExist=false&prevValue=one'),
    put('~/b', 'value=two&prevExist=false&prevValue=one'),
  ]),
  scenario('prevExist: true with prevValue is a compare', [
    setup('PUT', '~/a', 'value=one'),
    put('~/a', 'value=two&prevExist=true&prevValue=one'),
    put('~/a', 'value=three&prevExist=true&prevValue=one'),
  ]),
  scenario('prevExist: true on a directory', [
    setup('PUT', '~/d/x', 'value=one'),
    put('~/d', 'value=two&prevExist=true'),
  ]),
  scenario('prevExist: update of a file below a file', [
    setup('PUT', '~/f', 'value=one'),
    put('~/f/x', 'value=two&prevExist=true'),
  ]),
  scenario('cad: prevValue matches', [
    setup('PUT', '~/a', 'value=one'),
    del('~/a?prevValue=one'),
    get('~/a'),
  ]),
  scenario('cad: prevValue differs is 101', [
    setup('PUT', '~/a', 'value=one'),
    del('~/a?prevValue=two'),
  ]),
  scenario('cad: prevIndex matches and differs', [
    setup('PUT', '~/a', 'value=one'),
    del('~/a?prevIndex={+5}'),
    del('~/a?prevIndex={+1}'),
  ]),
  scenario('cad: on a missing key is 100', [del('~/a?prevValue=one'), del('~/a?prevIndex={+1}')]),
  scenario('cad: on a directory', [
    setup('PUT', '~/d', 'dir=true'),
    del('~/d?prevValue=one'),
    del('~/d?prevIndex={+1}&dir=true'),
  ]),
  scenario('cad: prevIndex and prevValue both checked', [
    setup('PUT', '~/a', 'value=one'),
    del('~/a?prevIndex={+1}&prevValue=two'),
    del('~/a?prevIndex={+1}&prevValue=one'),
  ]),
  scenario('post: creates in-order keys', [
    post('~/q', 'value=one'),
    post('~/q', 'value=two'),
    get('~/q?sorted=true'),
  ]),
  scenario('post: with a TTL', [post('~/q', 'value=one&ttl=500'), get('~/q?recursive=true')]),
  scenario('post: an in-order directory', [post('~/q', 'dir=true'), get('~/q?recursive=true')]),
  scenario('post: into a file is 104', [
    setup('PUT', '~/f', 'value=one'),
    post('~/f', 'value=two'),
  ]),
  scenario('post: ignores prevExist and a non-empty prevValue', [
    setup('PUT', '~/q/x', 'value=one'),
    post('~/q', 'value=two&prevExist=true&prevValue=nothing'),
    post('~/q', 'value=three&prevExist=false'),
  ]),
  scenario('post: with an empty value and from the query', [
    post('~/q'),
    post('~/q?value=fromquery'),
  ]),
  scenario('post: to the root', [
    post('/v2/keys/', 'value=atroot'),
    get('/v2/keys/{k+1}'),
    del('/v2/keys/{k+1}'),
  ]),
  scenario('post: a trailing slash and a hidden directory', [
    post('~/q/', 'value=one'),
    post('~/_q', 'value=two'),
    get('~?recursive=true'),
  ]),
  scenario('ttl: a set with a TTL shows expiration and ttl', [
    put('~/t', 'value=one&ttl=500'),
    get('~/t'),
  ]),
  scenario('ttl: a set without ttl clears it', [
    setup('PUT', '~/t', 'value=one&ttl=500'),
    put('~/t', 'value=two'),
    get('~/t'),
  ]),
  scenario('ttl: an empty ttl means none', [
    put('~/t', 'value=one&ttl='),
    put('~/t?ttl=', 'value=two&ttl=500'),
  ]),
  scenario('ttl: update changes the TTL and keeps createdIndex', [
    setup('PUT', '~/t', 'value=one&ttl=500'),
    put('~/t', 'value=two&ttl=900&prevExist=true'),
    put('~/t', 'value=three&prevExist=true'),
    get('~/t'),
  ]),
  scenario('ttl: a key expires', [put('~/t', 'value=one&ttl=1'), sleep(2600), get('~/t')]),
  scenario('ttl: ttl=0 expires at once', [put('~/t', 'value=one&ttl=0'), sleep(1600), get('~/t')]),
  scenario('ttl: a directory with a TTL expires with its keys', [
    put('~/d', 'dir=true&ttl=1'),
    put('~/d/x', 'value=one'),
    sleep(2600),
    get('~/d/x'),
    get('~/d'),
  ]),
  scenario('ttl: a TTL of decades', [put('~/t', 'value=one&ttl=2000000000'), get('~/t')]),
  scenario('ttl: reaching past the year 2262', [put('~/t', 'value=one&ttl=9223372036')], {
    deviation: 'ttl-overflow',
  }),
  scenario(
    'dir: updating a directory TTL',
    [
      setup('PUT', '~/d', 'dir=true&ttl=500'),
      put('~/d', 'dir=true&ttl=900&prevExist=true'),
      get('~/d'),
    ],
    { deviation: 'dir-update-index' },
  ),
  scenario('dir: prevExist=true with dir=true on a file', [
    setup('PUT', '~/f', 'value=one'),
    put('~/f', 'dir=true&prevExist=true'),
    get('~/f'),
  ]),
  scenario('dir: prevExist=true with dir=true on a missing key', [
    put('~/d', 'dir=true&prevExist=true'),
  ]),
  scenario(
    'dir: clearing a directory TTL with prevExist',
    [setup('PUT', '~/d', 'dir=true&ttl=500'), put('~/d', 'dir=true&prevExist=true'), get('~/d')],
    { deviation: 'dir-update-index' },
  ),
  scenario('refresh: with prevExist keeps value and index', [
    setup('PUT', '~/t', 'value=one&ttl=500'),
    put('~/t', 'refresh=true&ttl=900&prevExist=true'),
    get('~/t'),
  ]),
  scenario('refresh: without prevExist is a set', [
    setup('PUT', '~/t', 'value=one&ttl=500'),
    put('~/t', 'refresh=true&ttl=900'),
    get('~/t'),
  ]),
  scenario('refresh: on a missing key is 100', [
    put('~/t', 'refresh=true&ttl=5'),
    put('~/t', 'refresh=true&ttl=5&prevExist=true'),
  ]),
  scenario('refresh: on a key without a TTL', [
    setup('PUT', '~/t', 'value=one'),
    put('~/t', 'refresh=true&ttl=900&prevExist=true'),
    get('~/t'),
  ]),
  scenario('refresh: with a compare', [
    setup('PUT', '~/t', 'value=one&ttl=500'),
    put('~/t', 'refresh=true&ttl=900&prevValue=one'),
    put('~/t', 'refresh=true&ttl=900&prevValue=two'),
  ]),
  scenario('refresh: an empty value is allowed', [
    setup('PUT', '~/t', 'value=one&ttl=500'),
    put('~/t', 'refresh=true&ttl=900&value=&prevExist=true'),
  ]),
  scenario('refresh: of a directory with dir=true', [
    setup('PUT', '~/d', 'dir=true&ttl=500'),
    put('~/d', 'refresh=true&ttl=900&dir=true'),
    get('~/d'),
  ]),
  scenario('noValueOnSuccess: strips set, cas, create and update answers', [
    put('~/a', 'value=one&noValueOnSuccess=true'),
    put('~/a', 'value=two&noValueOnSuccess=true'),
    put('~/a', 'value=three&prevValue=two&noValueOnSuccess=true'),
    put('~/a', 'value=four&prevExist=true&noValueOnSuccess=true'),
    put('~/b', 'value=one&prevExist=false&noValueOnSuccess=true'),
    post('~/q', 'value=one&noValueOnSuccess=true'),
  ]),
  scenario('noValueOnSuccess: not for deletes, reads or errors', [
    setup('PUT', '~/a', 'value=one'),
    get('~/a?noValueOnSuccess=true'),
    put('~/a', 'value=two&prevValue=zzz&noValueOnSuccess=true'),
    del('~/a?noValueOnSuccess=true'),
  ]),
];
