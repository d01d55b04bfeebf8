// The writes that remove a node (and everything below it): delete, compare-and-delete, and
// expire (proposed by the leader for a key whose TTL ran out at the command's time). Pure over
// the ApplyContext; imports apply-context, node, key-path, v2-command, v2-error, v2-event.

import {
  applied,
  compareFailure,
  eventNode,
  refuse,
  type ApplyContext,
  type ApplyOutcome,
} from './apply-context.js';
import { normalizeKey, rootKey } from './key-path.js';
import { formatExpiration, renderRemovedNode, type V2Node } from './node.js';
import type { V2Command } from './v2-command.js';
import { ErrorCode, V2Error } from './v2-error.js';
import type { V2Action } from './v2-event.js';

/** DELETE: a file; a directory with dir=true (108 unless empty) or recursive=true. */
export function applyDelete(context: ApplyContext, command: V2Command): ApplyOutcome {
  const key = normalizeKey(command.path);
  if (key === rootKey) return refuse(context, ErrorCode.RootReadOnly, rootKey);
  const node = context.tree.resolve(key, context.currentIndex);
  if (node instanceof V2Error) return node;
  const recursive = command.recursive === true;
  if (node.isDir && command.dir !== true && !recursive) {
    return refuse(context, ErrorCode.NotAFile, key);
  }
  if (node.isDir && !recursive && node.children!.size > 0) {
    return refuse(context, ErrorCode.DirectoryNotEmpty, key);
  }
  return removeNode(context, node, 'delete');
}

/** DELETE prevValue/prevIndex: compare-and-delete of a file (102 on a directory or root). */
export function applyCompareAndDelete(context: ApplyContext, command: V2Command): ApplyOutcome {
  const key = normalizeKey(command.path);
  const node = context.tree.resolve(key, context.currentIndex);
  if (node instanceof V2Error) return node;
  // etcd names the directory in the cause, and the root has the empty name.
  if (node.isDir) return refuse(context, ErrorCode.NotAFile, node.isRoot ? '' : key);
  const failure = compareFailure(node, command.prevValue, command.prevIndex);
  if (failure !== null) return refuse(context, ErrorCode.CompareFailed, failure);
  return removeNode(context, node, 'compareAndDelete');
}

/**
 * Removes a key whose expiration is at or before the command's time. A key that is missing,
 * has no TTL or has not expired at timeMs (it was rewritten after the leader proposed) is
 * refused, so an expire proposed twice or late changes nothing.
 */
export function applyExpire(context: ApplyContext, command: V2Command): ApplyOutcome {
  const key = normalizeKey(command.path);
  if (key === rootKey) return refuse(context, ErrorCode.RootReadOnly, rootKey);
  const node = context.tree.resolve(key, context.currentIndex);
  if (node instanceof V2Error) return node;
  if (node.expirationMs === null) {
    return refuse(context, ErrorCode.CompareFailed, `[${key} has no ttl]`);
  }
  if (node.expirationMs > context.timeMs) {
    const expiration = formatExpiration(node.expirationMs);
    const cause = `[${expiration} > ${formatExpiration(context.timeMs)}]`;
    return refuse(context, ErrorCode.CompareFailed, cause);
  }
  return removeNode(context, node, 'expire');
}

function removeNode(context: ApplyContext, node: V2Node, action: V2Action): ApplyOutcome {
  const prevNode = eventNode(context, node);
  const removedKeys = context.tree.remove(node);
  const event = applied(context, action, renderRemovedNode(node, context.nextIndex), prevNode);
  return { ...event, removedKeys };
}
