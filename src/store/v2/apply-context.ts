// What a command handler works with (the tree, the etcd index before and after, the leader's
// time) and what it returns: the event, and whether history and watchers see it (a refresh
// is invisible). Shared helpers for rendering and compare causes. Imports tree, node,
// v2-event, v2-error only; must not import the store, the history or the watch hub.

import { renderNode, type NodeJson, type V2Node } from './node.js';
import type { Tree } from './tree.js';
import { type ErrorCode, V2Error } from './v2-error.js';
import { V2Event, type V2Action } from './v2-event.js';

export interface ApplyContext {
  readonly tree: Tree;
  /** The etcd index before this command; refusals carry it. */
  readonly currentIndex: number;
  /** The etcd index a success takes: currentIndex + 1. */
  readonly nextIndex: number;
  /** The leader's clock at proposal: TTLs start here, and event ttl fields count from it. */
  readonly timeMs: number;
}

export interface Applied {
  readonly event: V2Event;
  /** False for a TTL refresh: it takes an index but is not in history and wakes no watcher. */
  readonly recorded: boolean;
  /** For a removal: every key that left the tree, the removed node's first. */
  readonly removedKeys?: readonly string[];
}

export type ApplyOutcome = Applied | V2Error;

export function refuse(context: ApplyContext, code: ErrorCode, cause: string): V2Error {
  return new V2Error(code, cause, context.currentIndex);
}

/** A node as an event shows it: no children, ttl counted at the command's time. */
export function eventNode(context: ApplyContext, node: V2Node): NodeJson {
  return renderNode(node, { nowMs: context.timeMs, listing: 'none', sorted: false });
}

export function applied(
  context: ApplyContext,
  action: V2Action,
  node: NodeJson,
  prevNode: NodeJson | undefined,
  recorded = true,
): Applied {
  return { event: new V2Event(action, node, prevNode, context.nextIndex), recorded };
}

/**
 * etcd's compare-failure cause, one bracket per failed comparison in the order
 * `[prevValue != value] [prevIndex != modifiedIndex]`, or null when both hold.
 */
export function compareFailure(
  node: V2Node,
  prevValue: string | undefined,
  prevIndex: number | undefined,
): string | null {
  const failed: string[] = [];
  if (prevValue !== undefined && prevValue !== node.value) {
    failed.push(`[${prevValue} != ${node.value}]`);
  }
  if (prevIndex !== undefined && prevIndex !== node.modifiedIndex) {
    failed.push(`[${prevIndex} != ${node.modifiedIndex}]`);
  }
  return failed.length === 0 ? null : failed.join(' ');
}
