// Differential scenarios: long-poll and stream watches, from now and from history
// (waitIndex), recursive scopes, directory removal and expiry waking watchers of keys inside,
// hidden keys, refreshes that wake nobody, 401 from a cleared history, and quorum reads.

import {
  bulk,
  collect,
  del,
  get,
  open,
  post,
  put,
  scenario,
  setup,
  sleep,
  type Scenario,
} from './scenario.js';

/** Long enough for an event that should come; short enough for one that should not. */
const comes = 4000;
const never = 400;

export const watchScenarios: readonly Scenario[] = [
  scenario('watch: a set wakes a long poll; head first, 200', [
    open('w', '~/a?wait=true'),
    put('~/a', 'value=one'),
    collect('w', comes),
  ]),
  scenario('watch: no event means an open answer', [
    open('w', '~/a?wait=true'),
    collect('w', never),
  ]),
  scenario('watch: events are 200 even for a create', [
    open('w', '~/a?wait=true'),
    put('~/a', 'value=one&prevExist=false'),
    collect('w', comes),
  ]),
  scenario('watch: update, cas, delete and cad events', [
    setup('PUT', '~/a', 'value=one'),
    open('u', '~/a?wait=true'),
    put('~/a', 'value=two&prevExist=true'),
    collect('u', comes),
    open('c', '~/a?wait=true'),
    put('~/a', 'value=three&prevValue=two'),
    collect('c', comes),
    open('d', '~/a?wait=true'),
    del('~/a?prevValue=three'),
    collect('d', comes),
  ]),
  scenario('watch: a child wakes a recursive watch only', [
    setup('PUT', '~/d', 'dir=true'),
    open('plain', '~/d?wait=true'),
    open('deep', '~/d?wait=true&recursive=true'),
    put('~/d/x/y', 'value=one'),
    collect('deep', comes),
    collect('plain', never),
  ]),
  scenario('watch: a key created after the watch began', [
    open('w', '~/new/key?wait=true'),
    put('~/new/key', 'value=one'),
    collect('w', comes),
  ]),
  scenario('watch: waitIndex in history answers at once', [
    setup('PUT', '~/a', 'value=one'),
    setup('PUT', '~/a', 'value=two'),
    get('~/a?wait=true&waitIndex={+1}'),
    get('~/a?wait=true&waitIndex={+2}'),
  ]),
  scenario('watch: waitIndex finds the first matching change at or after it', [
    setup('PUT', '~/a', 'value=one'),
    setup('PUT', '~/b', 'value=two'),
    setup('PUT', '~/b', 'value=three'),
    setup('PUT', '~/a', 'value=four'),
    get('~/a?wait=true&waitIndex={+2}'),
    get('~/b?wait=true&waitIndex={+1}'),
  ]),
  scenario('watch: waitIndex in the future waits for that index', [
    setup('PUT', '~/a', 'value=one'),
    open('w', '~/a?wait=true&waitIndex={+3}'),
    put('~/a', 'value=two'),
    put('~/a', 'value=three'),
    collect('w', comes),
  ]),
  scenario('watch: waitIndex=0 is the next change', [
    setup('PUT', '~/a', 'value=one'),
    open('w', '~/a?wait=true&waitIndex=0'),
    put('~/a', 'value=two'),
    collect('w', comes),
  ]),
  scenario('watch: recursive from history', [
    setup('PUT', '~/d/a', 'value=one'),
    setup('PUT', '~/d/b/c', 'value=two'),
    get('~/d?wait=true&recursive=true&waitIndex={+2}'),
    get('~/d?wait=true&waitIndex={+1}&recursive=true'),
  ]),
  scenario('watch: deleting a directory wakes a watch on a key inside', [
    setup('PUT', '~/d/x', 'value=one'),
    open('w', '~/d/x?wait=true'),
    del('~/d?recursive=true'),
    collect('w', comes),
  ]),
  scenario('watch: a directory delete from history for a key inside', [
    setup('PUT', '~/d/x', 'value=one'),
    setup('DELETE', '~/d?recursive=true'),
    get('~/d/x?wait=true&waitIndex={+2}'),
  ]),
  scenario('watch: an expiring key wakes its watcher', [
    setup('PUT', '~/t', 'value=one&ttl=1'),
    open('w', '~/t?wait=true'),
    collect('w', comes),
  ]),
  scenario('watch: an expiring directory wakes a watch on a key inside', [
    setup('PUT', '~/d', 'dir=true&ttl=1'),
    setup('PUT', '~/d/x', 'value=one'),
    open('w', '~/d/x?wait=true'),
    collect('w', comes),
  ]),
  scenario('watch: a live recursive watch does not see hidden keys', [
    setup('PUT', '~/d', 'dir=true'),
    open('w', '~/d?wait=true&recursive=true'),
    put('~/d/_h', 'value=hidden'),
    put('~/d/v', 'value=visible'),
    collect('w', comes),
  ]),
  scenario('watch: history scans include hidden keys', [
    setup('PUT', '~/d/_h', 'value=hidden'),
    get('~/d?wait=true&recursive=true&waitIndex={+1}'),
  ]),
  scenario('watch: a hidden key watched by name', [
    open('w', '~/_h?wait=true'),
    put('~/_h', 'value=hidden'),
    collect('w', comes),
  ]),
  scenario('watch: a refresh wakes nobody', [
    setup('PUT', '~/t', 'value=one&ttl=500'),
    open('w', '~/t?wait=true'),
    put('~/t', 'refresh=true&ttl=600&prevExist=true'),
    sleep(300),
    put('~/t', 'value=two&ttl=600'),
    collect('w', comes),
  ]),
  scenario('watch: a waitIndex at a refresh gets the next real change', [
    setup('PUT', '~/t', 'value=one&ttl=500'),
    setup('PUT', '~/t', 'refresh=true&ttl=600&prevExist=true'),
    setup('PUT', '~/t', 'value=two'),
    get('~/t?wait=true&waitIndex={+2}'),
  ]),
  scenario('watch: POST wakes a recursive watch with a create', [
    setup('PUT', '~/q', 'dir=true'),
    open('w', '~/q?wait=true&recursive=true'),
    post('~/q', 'value=job'),
    collect('w', comes),
  ]),
  scenario('watch: stream sends one event per change', [
    setup('PUT', '~/d', 'dir=true'),
    open('s', '~/d?wait=true&stream=true&recursive=true'),
    put('~/d/a', 'value=one'),
    put('~/d/b', 'value=two'),
    del('~/d/a'),
    collect('s', comes, 3),
  ]),
  scenario('watch: stream on one key', [
    open('s', '~/a?wait=true&stream=true'),
    put('~/a', 'value=one'),
    put('~/a', 'value=two'),
    collect('s', comes, 2),
  ]),
  scenario(
    'watch: stream from history, then live',
    [
      setup('PUT', '~/a', 'value=one'),
      setup('PUT', '~/a', 'value=two'),
      open('s', '~/a?wait=true&stream=true&waitIndex={+1}'),
      put('~/a', 'value=three'),
      collect('s', comes, 3),
    ],
    { deviation: 'stream-history' },
  ),
  scenario('watch: quorum=true turns a watch into a read', [
    setup('PUT', '~/a', 'value=one'),
    get('~/a?wait=true&quorum=true'),
    get('~/a?wait=true&stream=true&quorum=true'),
    get('~/missing?wait=true&quorum=true'),
  ]),
  scenario('watch: wait=false is a read', [
    setup('PUT', '~/a', 'value=one'),
    get('~/a?wait=false&waitIndex=1'),
  ]),
  scenario('watch: a cleared history is 401', [
    bulk(1005, 'PUT', '~/k{n}', 'value=v'),
    get('~/k1?wait=true&waitIndex={+1}'),
    get('~?wait=true&recursive=true&waitIndex={+5}'),
    get('~/k1005?wait=true&waitIndex={+1005}'),
  ]),
];
