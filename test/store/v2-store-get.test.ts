// Reads of the v2 store: files, directory listings (one level, recursive, sorted), the root,
// hidden keys, and the errors etcd gives for missing keys and files on the way.

import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/store/v2/index.js';
import { asError, asEvent, Driver } from './v2-helpers.js';

function hiddenFixture(): Driver {
  const d = new Driver();
  d.put('/h/_hid', { value: '1' }); // 1 (creates /h)
  d.put('/h/vis', { value: '1' }); // 2
  d.put('/h/_hd/x', { value: '1' }); // 3
  d.put('/h/sub/y', { value: '1' }); // 4
  d.put('/h/sub/_z', { value: '1' }); // 5
  return d;
}

describe('v2 store: get', () => {
  it('v2 store: get: an empty root is a bare directory; the root has no key or indexes', () => {
    const d = new Driver();
    const event = asEvent(d.get('/'));
    expect(event.json).toBe('{"action":"get","node":{"dir":true}}');
    expect(event.etcdIndex).toBe(0);
  });

  it('v2 store: get: a directory lists one level, children without their own listing', () => {
    expect(asEvent(hiddenFixture().get('/h')).json).toBe(
      '{"action":"get","node":{"key":"/h","dir":true,"nodes":[' +
        '{"key":"/h/vis","value":"1","modifiedIndex":2,"createdIndex":2},' +
        '{"key":"/h/sub","dir":true,"modifiedIndex":4,"createdIndex":4}],' +
        '"modifiedIndex":1,"createdIndex":1}}',
    );
  });

  it('v2 store: get: recursive lists everything below except hidden keys', () => {
    expect(asEvent(hiddenFixture().get('/h', { recursive: true })).json).toBe(
      '{"action":"get","node":{"key":"/h","dir":true,"nodes":[' +
        '{"key":"/h/vis","value":"1","modifiedIndex":2,"createdIndex":2},' +
        '{"key":"/h/sub","dir":true,"nodes":[' +
        '{"key":"/h/sub/y","value":"1","modifiedIndex":4,"createdIndex":4}],' +
        '"modifiedIndex":4,"createdIndex":4}],"modifiedIndex":1,"createdIndex":1}}',
    );
  });

  it('v2 store: get: sorted orders every level by key; unsorted is creation order', () => {
    const d = new Driver();
    for (const name of ['b', 'c', 'a']) d.put(`/s/${name}`, { value: name });
    d.put('/s/b', { value: 'again' }); // a replaced file counts as created now
    const names = (sorted: boolean) =>
      asEvent(d.get('/s', { sorted })).node.nodes!.map((n) => n.key);
    expect(names(false)).toEqual(['/s/c', '/s/a', '/s/b']);
    expect(names(true)).toEqual(['/s/a', '/s/b', '/s/c']);
  });

  it('v2 store: get: sorted uses code point order (UTF-8 bytes), not UTF-16 units', () => {
    const d = new Driver();
    d.put('/u/\u{1F600}', { value: 'emoji' }); // surrogate pair 0xD83D...
    d.put('/u/\uFF21', { value: 'fullwidth A' }); // 0xFF21, a smaller code point
    const keys = asEvent(d.get('/u', { sorted: true })).node.nodes!.map((n) => n.value);
    expect(keys).toEqual(['fullwidth A', 'emoji']);
  });

  it('v2 store: get: a hidden key or directory can be read by its own name', () => {
    const d = hiddenFixture();
    expect(asEvent(d.get('/h/_hid')).node.value).toBe('1');
    expect(asEvent(d.get('/h/_hd')).json).toBe(
      '{"action":"get","node":{"key":"/h/_hd","dir":true,' +
        '"nodes":[{"key":"/h/_hd/x","value":"1","modifiedIndex":3,"createdIndex":3}],' +
        '"modifiedIndex":3,"createdIndex":3}}',
    );
  });

  it('v2 store: get: an empty directory has no nodes field, recursive or not', () => {
    const d = new Driver();
    d.put('/empty', { dir: true });
    const plain =
      '{"action":"get","node":{"key":"/empty","dir":true,"modifiedIndex":1,"createdIndex":1}}';
    expect(asEvent(d.get('/empty')).json).toBe(plain);
    expect(asEvent(d.get('/empty', { recursive: true })).json).toBe(plain);
  });

  it('v2 store: get: a file ignores recursive; an empty value is still shown', () => {
    const d = new Driver();
    d.put('/f', { value: '' });
    expect(asEvent(d.get('/f', { recursive: true })).json).toBe(
      '{"action":"get","node":{"key":"/f","value":"","modifiedIndex":1,"createdIndex":1}}',
    );
  });

  it('v2 store: get: the cause of 100 is the first missing component; of 104 the file', () => {
    const d = hiddenFixture();
    expect(asError(d.get('/nope/x'), ErrorCode.KeyNotFound).json).toBe(
      '{"errorCode":100,"message":"Key not found","cause":"/nope","index":5}',
    );
    expect(asError(d.get('/h/nope/x'), ErrorCode.KeyNotFound).cause).toBe('/h/nope');
    expect(asError(d.get('/h/vis/x/y'), ErrorCode.NotADirectory).cause).toBe('/h/vis');
  });

  it('v2 store: get: the answer carries the current etcd index', () => {
    const d = hiddenFixture();
    d.del('/h/vis');
    expect(asEvent(d.get('/h/sub')).etcdIndex).toBe(6);
  });
});
