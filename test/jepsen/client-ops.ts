// One client operation against kvd's v2 API and what its answer proves: ok (with the value read
// or the index written); fail (a definite observation: compare failed, key not found); rejected
// (did not apply and observed nothing: refused connection, form errors, failed reads); unknown
// (may have applied: timeouts, lost connections, 300 "timed out", 301 "no leader").
import type http from 'node:http';
import type { OpKind } from '../../src/check/history.js';
import { errorCodeOf, httpRequest, nodeOf, type HttpResult } from './v2-client.js';

export interface ClientOp {
  readonly kind: OpKind;
  readonly key: string;
  readonly value?: string;
  readonly expected?: string;
}

export type Verdict =
  | { readonly outcome: 'ok'; readonly result?: string | null; readonly index?: number }
  | { readonly outcome: 'fail'; readonly why: string }
  | { readonly outcome: 'rejected'; readonly why: string }
  | { readonly outcome: 'unknown'; readonly why: string };

/** errorCodes that observe the key: a cas compared (101) or found no key (100), a delete too. */
const observingCodes: Record<OpKind, readonly number[]> = {
  read: [], write: [], cas: [100, 101], delete: [100],
};

/**
 * errorCodes that mean the command did not apply and observed nothing the model knows: other
 * key errors (102-108) and form errors (2xx), decided before anything was proposed. 300
 * (request timed out), 301 (no leader) and anything else may follow a proposal that commits.
 */
function isDefiniteRefusal(code: number): boolean {
  return (code >= 102 && code < 200) || (code >= 200 && code < 300);
}

export async function runOp(baseUrl: string, op: ClientOp, agent: http.Agent, timeoutMs: number):
  Promise<Verdict> {
  const url = `${baseUrl}/v2/keys${op.key}`;
  switch (op.kind) {
    case 'read':
      return judgeRead(await httpRequest(`${url}?quorum=true`, {
        method: 'GET', timeoutMs, agent,
      }));
    case 'write':
      return judgeChange(op.kind, await httpRequest(url, {
        method: 'PUT', form: { value: op.value ?? '' }, timeoutMs, agent,
      }));
    case 'cas':
      return judgeChange(op.kind, await httpRequest(url, {
        method: 'PUT', form: { value: op.value ?? '', prevValue: op.expected ?? '' },
        timeoutMs, agent,
      }));
    case 'delete':
      return judgeChange(op.kind, await httpRequest(url, { method: 'DELETE', timeoutMs, agent }));
  }
}

export function judgeRead(answer: HttpResult): Verdict {
  if (answer.kind === 'refused') return { outcome: 'rejected', why: 'connection refused' };
  if (answer.kind !== 'answer') return { outcome: 'unknown', why: describeHttp(answer) };
  const code = errorCodeOf(answer.body);
  if (answer.status === 404 && code === 100) return { outcome: 'ok', result: null };
  const node = nodeOf(answer.body);
  if (answer.status === 200 && node !== null && typeof node.value === 'string') {
    return { outcome: 'ok', result: node.value };
  }
  return { outcome: 'rejected', why: describeHttp(answer) };
}

export function judgeChange(kind: OpKind, answer: HttpResult): Verdict {
  if (answer.kind === 'refused') return { outcome: 'rejected', why: 'connection refused' };
  if (answer.kind !== 'answer') return { outcome: 'unknown', why: describeHttp(answer) };
  const node = nodeOf(answer.body);
  if ((answer.status === 200 || answer.status === 201) && node !== null) {
    return { outcome: 'ok', index: node.modifiedIndex };
  }
  const code = errorCodeOf(answer.body);
  const why = describeHttp(answer);
  if (code !== null && observingCodes[kind].includes(code)) return { outcome: 'fail', why };
  if (code !== null && isDefiniteRefusal(code)) return { outcome: 'rejected', why };
  if (code === null && answer.status >= 400 && answer.status < 500) {
    return { outcome: 'rejected', why };
  }
  return { outcome: 'unknown', why: describeHttp(answer) };
}

export function describeHttp(answer: HttpResult): string {
  switch (answer.kind) {
    case 'answer': {
      const code = errorCodeOf(answer.body);
      return code === null ? `HTTP ${answer.status}` : `HTTP ${answer.status} errorCode ${code}`;
    }
    case 'lost':
      return `lost (${answer.error})`;
    default:
      return answer.kind;
  }
}
