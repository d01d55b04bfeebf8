// How kvctl prints keys answers in each output format: the simple forms etcdctl prints (the
// value; "PrevNode.Value: ..." for deletes), the answer body for json, one row per node for
// table. Imports keys-api and output.
import { answerJson, type KeysAnswer, type V2Node } from './keys-api.js';
import type { Output } from './output.js';

export const nodeHeaders = ['KEY', 'DIR', 'VALUE', 'CREATED', 'MODIFIED', 'TTL'] as const;

export function nodeRow(node: V2Node): string[] {
  return [
    node.key ?? '/',
    node.dir === true ? 'yes' : 'no',
    node.dir === true ? '' : (node.value ?? ''),
    String(node.createdIndex ?? ''),
    String(node.modifiedIndex ?? ''),
    node.ttl !== undefined ? `${node.ttl}s` : '',
  ];
}

/** What simple output shows of an answer. */
export type SimpleForm = 'value' | 'prev-value' | 'nothing';

/** Prints a single-node answer (get, put, mk, update, rm, one watch event). */
export function printAnswer(out: Output, answer: KeysAnswer, simple: SimpleForm): void {
  switch (out.format) {
    case 'json':
      return out.json(answerJson(answer));
    case 'table':
      return out.table(nodeHeaders, [nodeRow(answer.node)]);
    case 'simple':
      return printSimple(out, answer, simple);
  }
}

function printSimple(out: Output, answer: KeysAnswer, simple: SimpleForm): void {
  if (simple === 'value') {
    if (answer.action === 'delete' || answer.action === 'expire') {
      out.line(`PrevNode.Value: ${answer.prevNode?.value ?? ''}`);
    } else if (answer.node.dir !== true) {
      out.line(answer.node.value ?? '');
    }
  } else if (simple === 'prev-value' && answer.prevNode?.value !== undefined) {
    out.line(`PrevNode.Value: ${answer.prevNode.value}`);
  }
}
