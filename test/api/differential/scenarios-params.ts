// Differential scenarios: parameter parsing with Go's rules and etcd's checking order, one
// rule per scenario: numbers, booleans, malformed forms, semicolons, method-bound parameters,
// refresh errors, and which error wins when several parameters are wrong.

import {
  call,
  del,
  get,
  post,
  put,
  scenario,
  setup,
  type Scenario,
  type Step,
} from './scenario.js';

const trueSpellings = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const falseSpellings = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

/** One scenario per parameter value: a PUT whose answer shows how it parsed. */
function each(title: string, values: readonly string[], step: (value: string) => Step): Scenario[] {
  return values.map((value) => scenario(`${title}: ${JSON.stringify(value)}`, [step(value)]));
}

export const paramScenarios: readonly Scenario[] = [
  ...each(
    'ttl: refused spelling',
    ['abc', '+5', '1.5', '-1', '1e3', '%205', '0x10', '99999999999999999999'],
    (ttl) => put(`~/t?ttl=${ttl}`, 'value=one'),
  ),
  ...each('ttl: accepted spelling', ['007', '18'], (ttl) => put(`~/t?ttl=${ttl}`, 'value=one')),
  ...each(
    'prevIndex: refused spelling',
    ['x', '-1', '', '%2B1', '1.0', '18446744073709551616'],
    (index) => put(`~/a?prevIndex=${index}`, 'value=one'),
  ),
  scenario(
    'prevIndex: a uint64 beyond any index fails the compare',
    [put('~/a', 'value=one'), put('~/a?prevIndex=18446744073709551615', 'value=two')],
    { deviation: 'huge-index' },
  ),
  ...each('waitIndex: refused spelling', ['x', '', '-3'], (index) =>
    get(`~/a?wait=true&waitIndex=${index}`),
  ),
  scenario('waitIndex: checked on a plain GET and a PUT too', [
    get('~/a?waitIndex=x'),
    put('~/a?waitIndex=x', 'value=one'),
  ]),
  ...trueSpellings.map((value) =>
    scenario(`recursive: true spelling ${JSON.stringify(value)}`, [
      setup('PUT', '~/d/x', 'value=one'),
      get(`~?recursive=${value}`),
    ]),
  ),
  ...falseSpellings.map((value) =>
    scenario(`recursive: false spelling ${JSON.stringify(value)}`, [
      setup('PUT', '~/d/x', 'value=one'),
      get(`~?recursive=${value}`),
    ]),
  ),
  ...each('dir: refused spelling', ['yes', '', 'tRUE', 'y', '2', 'on'], (value) =>
    put(`~/d?dir=${value}`),
  ),
  scenario('bool: a name without "=" is present and empty', [
    put('~/d?dir'),
    put('~/d?value=one&prevExist'),
  ]),
  ...each(
    'bool: refused value per parameter',
    ['recursive', 'sorted', 'wait', 'quorum', 'stream', 'noValueOnSuccess', 'prevExist', 'refresh'],
    (name) => get(`~/a?${name}=maybe`),
  ),
  scenario('bool: refused values on every method', [
    put('~/a?recursive=x', 'value=one'),
    post('~/a?sorted=x', 'value=one'),
    del('~/a?quorum=x'),
    put('~/a', 'value=one&prevExist=nope'),
  ]),
  scenario('form: a semicolon in the query is 210', [
    put('~/a?value=one;two'),
    get('~/a?x=1;y=2'),
    del('~/a?;'),
  ]),
  scenario('form: a semicolon in the body is 210', [put('~/a', 'value=one;two')]),
  scenario('form: a bad escape in the query is 210', [
    put('~/a?value=%zz'),
    put('~/a?value=%2'),
    get('~/a?%=x'),
  ]),
  scenario('form: a bad escape in the body is 210', [
    put('~/a', 'value=%zz'),
    put('~/a', 'value=ok&x=%G1'),
  ]),
  scenario('form: the body error wins over the query error', [put('~/a?x=%zz', 'value=%qq')]),
  scenario('form: empty pieces and names are skipped or kept', [
    put('~/a?&&value=one&&'),
    put('~/b?=x&value=two'),
    get('~/a'),
  ]),
  scenario('form: escaped names', [put('~/a?%76alue=escapedname'), get('~/a')]),
  scenario('form: a DELETE body is never parsed', [
    del('~/a', 'value=%zz;'),
    put('~/b', 'dir=true'),
    del('~/b', 'dir=%zz'),
  ]),
  scenario('wait: only on GET', [
    put('~/a?wait=true', 'value=one'),
    post('~/a?wait=true', 'value=one'),
    del('~/a?wait=true'),
    call('HEAD', '~/a?wait=true'),
    put('~/a?wait=false', 'value=one'),
  ]),
  scenario('prevValue: empty is 201 on every method', [
    put('~/a?prevValue=', 'value=one'),
    post('~/a', 'prevValue=&value=one'),
    del('~/a?prevValue='),
    get('~/a?prevValue='),
  ]),
  scenario('refresh: a value is 211, on every method', [
    put('~/a?refresh=true&value=one&ttl=5'),
    get('~/a?refresh=true&value=one'),
    del('~/a?refresh=true&value=one'),
  ]),
  scenario('refresh: without a ttl is 212', [
    put('~/a?refresh=true'),
    get('~/a?refresh=true'),
    post('~/a?refresh=1'),
  ]),
  scenario('refresh: a GET with a ttl is a plain read', [get('~/a?refresh=true&ttl=4')]),
  scenario('order: prevIndex before waitIndex before booleans', [
    put('~/a?ttl=x&prevIndex=y&waitIndex=z&dir=q'),
    put('~/a?ttl=x&waitIndex=z&dir=q&recursive=r'),
  ]),
  scenario('order: recursive, sorted, wait, dir, quorum, stream', [
    get('~/a?stream=x&quorum=x&dir=x&wait=x&sorted=x&recursive=x'),
    get('~/a?stream=x&quorum=x&dir=x&wait=x&sorted=x'),
    get('~/a?stream=x&quorum=x&dir=x&wait=x'),
    get('~/a?stream=x&quorum=x&dir=x'),
    get('~/a?stream=x&quorum=x'),
  ]),
  scenario('order: wait on a PUT before prevValue, ttl, prevExist and refresh', [
    put('~/a?prevValue=&ttl=x&prevExist=x&refresh=x&wait=true'),
    put('~/a?stream=x&wait=true'),
  ]),
  scenario('order: prevValue, noValueOnSuccess, ttl, prevExist, refresh', [
    put('~/a?refresh=x&prevExist=x&ttl=x&noValueOnSuccess=x&prevValue='),
    put('~/a?refresh=x&prevExist=x&ttl=x&noValueOnSuccess=x'),
    put('~/a?refresh=x&prevExist=x&ttl=x'),
    put('~/a?refresh=x&prevExist=x'),
    put('~/a?refresh=x'),
  ]),
  scenario('order: ttl before the refresh checks', [put('~/a?refresh=true&ttl=x&value=one')]),
  scenario('order: a bad form before anything else', [put('~/a?prevIndex=x&value=%zz')]),
  scenario('params: unknown parameters are ignored', [
    put('~/a?color=blue&value=one'),
    get('~/a?foo=bar'),
  ]),
  scenario('params: stream and quorum without wait are plain', [
    put('~/a?stream=true', 'value=one'),
    get('~/a?stream=true'),
    get('~/a?quorum=true'),
    get('~/a?quorum=true&recursive=true&sorted=true'),
  ]),
  scenario('body: over 1.5 MiB', [put('~/big', 'value=' + 'x'.repeat(1_700_000)), get('~/big')], {
    deviation: 'body-limit',
  }),
  scenario('ttl: past the Go duration range', [put('~/t?ttl=9223372037', 'value=one')], {
    deviation: 'ttl-overflow',
  }),
];
