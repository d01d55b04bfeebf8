// The writes that leave a node in place: set, create, update, compare-and-swap and post
// (in-order create), with etcd's checks and causes, in the order etcd makes them. Pure over
// the ApplyContext; imports apply-context, node, key-path, v2-command, v2-error, src/lib.

import { assert } from '../../lib/assert.js';
import {
  applied,
  compareFailure,
  eventNode,
  refuse,
  type ApplyContext,
  type ApplyOutcome,
} from './apply-context.js';
import { inOrderKey, keyName, normalizeKey, parentKey, rootKey } from './key-path.js';
import { V2Node } from './node.js';
import { expirationOf, type V2Command } from './v2-command.js';
import { ErrorCode, V2Error } from './v2-error.js';

/** PUT: creates or replaces a file, or creates a directory (102 over a directory). */
export function applySet(context: ApplyContext, command: V2Command): ApplyOutcome {
  const key = normalizeKey(command.path);
  if (key === rootKey) return refuse(context, ErrorCode.RootReadOnly, rootKey);
  if (command.refresh === true && command.dir !== true) return refreshSet(context, command, key);
  const parent = ensureParent(context, key);
  if (parent instanceof V2Error) return parent;
  const existing = parent.children!.get(keyName(key));
  if (existing?.isDir) return refuse(context, ErrorCode.NotAFile, key);
  const node = newNode(context, command, key);
  const prevNode = existing === undefined ? undefined : eventNode(context, existing);
  if (existing === undefined) context.tree.insert(parent, node);
  else context.tree.replace(existing, node);
  return applied(context, 'set', eventNode(context, node), prevNode);
}

/** PUT refresh=true: a new file with the old value and a fresh TTL, seen by no watcher. */
function refreshSet(context: ApplyContext, command: V2Command, key: string): ApplyOutcome {
  const existing = context.tree.resolve(key, context.currentIndex);
  if (existing instanceof V2Error) return existing;
  if (existing.isDir) return refuse(context, ErrorCode.NotAFile, key);
  const node = V2Node.file(key, existing.value!, context.nextIndex);
  node.expirationMs = expirationOf(command);
  const prevNode = eventNode(context, existing);
  context.tree.replace(existing, node);
  return applied(context, 'set', eventNode(context, node), prevNode, false);
}

/** PUT prevExist=false: 105 when the key exists, file or directory. */
export function applyCreate(context: ApplyContext, command: V2Command): ApplyOutcome {
  const key = normalizeKey(command.path);
  if (key === rootKey) return refuse(context, ErrorCode.RootReadOnly, rootKey);
  return createAt(context, command, key);
}

/** POST: creates a file or directory named by the new etcd index under the directory. */
export function applyPost(context: ApplyContext, command: V2Command): ApplyOutcome {
  const key = inOrderKey(normalizeKey(command.path), context.nextIndex);
  return createAt(context, command, key);
}

function createAt(context: ApplyContext, command: V2Command, key: string): ApplyOutcome {
  const parent = ensureParent(context, key);
  if (parent instanceof V2Error) return parent;
  if (parent.children!.has(keyName(key))) return refuse(context, ErrorCode.KeyExists, key);
  const node = newNode(context, command, key);
  context.tree.insert(parent, node);
  return applied(context, 'create', eventNode(context, node), undefined);
}

/**
 * PUT prevExist=true: a file takes the value (refresh keeps it); a directory only takes a
 * TTL (102 if a non-empty value is given). A write without ttl clears the TTL.
 */
export function applyUpdate(context: ApplyContext, command: V2Command): ApplyOutcome {
  const key = normalizeKey(command.path);
  if (key === rootKey) return refuse(context, ErrorCode.RootReadOnly, rootKey);
  const node = context.tree.resolve(key, context.currentIndex);
  if (node instanceof V2Error) return node;
  const refresh = command.refresh === true;
  const value = command.value ?? '';
  if (node.isDir && value !== '' && !refresh) return refuse(context, ErrorCode.NotAFile, key);
  const prevNode = eventNode(context, node);
  context.tree.update(node, {
    modifiedIndex: context.nextIndex,
    expirationMs: expirationOf(command),
    ...(node.isDir || refresh ? {} : { value }),
  });
  return applied(context, 'update', eventNode(context, node), prevNode, !refresh);
}

/** PUT prevValue/prevIndex: compare-and-swap on a file (102 on a directory). */
export function applyCompareAndSwap(context: ApplyContext, command: V2Command): ApplyOutcome {
  const key = normalizeKey(command.path);
  if (key === rootKey) return refuse(context, ErrorCode.RootReadOnly, rootKey);
  const node = context.tree.resolve(key, context.currentIndex);
  if (node instanceof V2Error) return node;
  if (node.isDir) return refuse(context, ErrorCode.NotAFile, key);
  const failure = compareFailure(node, command.prevValue, command.prevIndex);
  if (failure !== null) return refuse(context, ErrorCode.CompareFailed, failure);
  const refresh = command.refresh === true;
  const prevNode = eventNode(context, node);
  context.tree.update(node, {
    modifiedIndex: context.nextIndex,
    expirationMs: expirationOf(command),
    ...(refresh ? {} : { value: command.value ?? '' }),
  });
  return applied(context, 'compareAndSwap', eventNode(context, node), prevNode, !refresh);
}

/** The directory `key` goes in, created (with its parents) at the next index if missing. */
function ensureParent(context: ApplyContext, key: string): V2Node | V2Error {
  return context.tree.ensureDirectory(parentKey(key), context.nextIndex, context.currentIndex);
}

function newNode(context: ApplyContext, command: V2Command, key: string): V2Node {
  const node =
    command.dir === true
      ? V2Node.directory(key, context.nextIndex)
      : V2Node.file(key, command.value ?? '', context.nextIndex);
  node.expirationMs = expirationOf(command);
  assert(node.createdIndex === context.nextIndex, 'a new node takes the next index');
  return node;
}
