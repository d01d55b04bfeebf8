// Key paths of the v2 keyspace: normalisation ('/a//b/' is '/a/b'), parents, names, the
// "is under" relation, and hidden keys (a component starting with '_'). Pure string helpers;
// imports only src/lib.

import { assert } from '../../lib/assert.js';

export const rootKey = '/';

/**
 * Cleans a key the way etcd's store does: always rooted, no empty, '.' or trailing
 * components, and '..' climbs (never above the root). normalizeKey('a//b/') === '/a/b'.
 */
export function normalizeKey(raw: string): string {
  const parts: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  const key = '/' + parts.join('/');
  assert(isNormalKey(key), () => `normalizeKey(${JSON.stringify(raw)}) gave ${key}`);
  return key;
}

/** True when `key` is already in the form normalizeKey returns. */
export function isNormalKey(key: string): boolean {
  if (key === rootKey) return true;
  if (!key.startsWith('/') || key.endsWith('/')) return false;
  return key
    .slice(1)
    .split('/')
    .every((part) => part !== '' && part !== '.' && part !== '..');
}

/** The components of a normal key: '/a/b' -> ['a', 'b'], '/' -> []. */
export function keyParts(key: string): string[] {
  assert(isNormalKey(key), () => `keyParts of a key that is not normal: ${key}`);
  return key === rootKey ? [] : key.slice(1).split('/');
}

/** The parent of a normal key other than the root: '/a/b' -> '/a', '/a' -> '/'. */
export function parentKey(key: string): string {
  assert(key !== rootKey, 'the root has no parent');
  const slash = key.lastIndexOf('/');
  return slash === 0 ? rootKey : key.slice(0, slash);
}

/** The last component of a normal key other than the root. */
export function keyName(key: string): string {
  assert(key !== rootKey, 'the root has no name');
  return key.slice(key.lastIndexOf('/') + 1);
}

export function childKey(parent: string, name: string): string {
  assert(name !== '' && !name.includes('/'), () => `bad child name ${JSON.stringify(name)}`);
  return parent === rootKey ? `/${name}` : `${parent}/${name}`;
}

/** True when `key` lies strictly below `ancestor` ('/a/b' is below '/a'; '/ab' is not). */
export function isBelow(key: string, ancestor: string): boolean {
  if (ancestor === rootKey) return key !== rootKey;
  return key.length > ancestor.length + 1 && key.startsWith(ancestor + '/');
}

export function isHiddenName(name: string): boolean {
  return name.startsWith('_');
}

/**
 * True when the part of `key` below `watchKey` has a hidden component: a watcher on '/a'
 * does not see '/a/_b' or '/a/_b/c', while a watcher on '/a/_b' sees both.
 */
export function isHiddenBelow(watchKey: string, key: string): boolean {
  if (!isBelow(key, watchKey)) return false;
  const rest = watchKey === rootKey ? key.slice(1) : key.slice(watchKey.length + 1);
  return rest.split('/').some(isHiddenName);
}

/** The key POST creates under `dirKey` at etcd index `index`: 20 digits, zero-padded. */
export function inOrderKey(dirKey: string, index: number): string {
  assert(Number.isSafeInteger(index) && index > 0, () => `in-order index ${index} <= 0`);
  return childKey(dirKey, String(index).padStart(20, '0'));
}
