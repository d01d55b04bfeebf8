// PUT and POST variants of the v2 store against transcripts of real etcd 3.4 (indexes shifted:
// kvd's etcd index starts at 0, etcd's first user write gets 4).

import { describe, expect, it } from 'vitest';
import { ErrorCode, type V2Result } from '../../src/store/v2/index.js';
import { asError, asEvent, causeOf, Driver } from './v2-helpers.js';

describe('v2 store: set', () => {
  it('v2 store: set: creates a file, then replaces it with prevNode and a new createdIndex', () => {
    const d = new Driver();
    expect(asEvent(d.put('/a', { value: '1' })).json).toBe(
      '{"action":"set","node":{"key":"/a","value":"1","modifiedIndex":1,"createdIndex":1}}',
    );
    const second = asEvent(d.put('/a', { value: '2' }));
    expect(second.json).toBe(
      '{"action":"set","node":{"key":"/a","value":"2","modifiedIndex":2,"createdIndex":2},' +
        '"prevNode":{"key":"/a","value":"1","modifiedIndex":1,"createdIndex":1}}',
    );
    expect(second.etcdIndex).toBe(2);
    expect(d.store.etcdIndex).toBe(2);
  });

  it('v2 store: set: missing parents become directories at the same index', () => {
    const d = new Driver();
    d.put('/x', { value: '0' });
    asEvent(d.put('/h/sub/_k', { value: 'v' }));
    expect(asEvent(d.get('/h')).json).toBe(
      '{"action":"get","node":{"key":"/h","dir":true,' +
        '"nodes":[{"key":"/h/sub","dir":true,"modifiedIndex":2,"createdIndex":2}],' +
        '"modifiedIndex":2,"createdIndex":2}}',
    );
  });

  it('v2 store: set: a child write leaves the parent directory modifiedIndex alone', () => {
    const d = new Driver();
    d.put('/h/a', { value: '1' });
    d.put('/h/b', { value: '1' });
    d.put('/h/a', { value: '2' });
    const node = asEvent(d.get('/h')).node;
    expect([node.modifiedIndex, node.createdIndex]).toEqual([1, 1]);
  });

  it('v2 store: set: over a directory gives 102 Not a file naming the key (value or dir)', () => {
    const d = new Driver();
    d.put('/d', { dir: true });
    const byValue = asError(d.put('/d', { value: '1' }), ErrorCode.NotAFile);
    expect(byValue.json).toBe('{"errorCode":102,"message":"Not a file","cause":"/d","index":1}');
    expect(byValue.httpStatus).toBe(403);
    asError(d.put('/d', { dir: true }), ErrorCode.NotAFile);
    expect(d.store.etcdIndex).toBe(1);
  });

  it('v2 store: set: dir=true over a file replaces it with a directory', () => {
    const d = new Driver();
    d.put('/n2', { value: '1' });
    expect(asEvent(d.put('/n2', { dir: true })).json).toBe(
      '{"action":"set","node":{"key":"/n2","dir":true,"modifiedIndex":2,"createdIndex":2},' +
        '"prevNode":{"key":"/n2","value":"1","modifiedIndex":1,"createdIndex":1}}',
    );
  });

  it('v2 store: set: through a file gives 104 naming the file', () => {
    const d = new Driver();
    d.put('/f', { value: '1' });
    const error = asError(d.put('/f/g/h', { value: '1' }), ErrorCode.NotADirectory);
    expect(error.json).toBe('{"errorCode":104,"message":"Not a directory","cause":"/f","index":1}');
    expect(error.httpStatus).toBe(400);
  });

  it('v2 store: set: the root is read only (107) for every write but POST', () => {
    const d = new Driver();
    for (const fields of [{ value: '1' }, { dir: true }, { prevExist: true }, { prevValue: '1' }]) {
      const error = asError(d.put('/', fields), ErrorCode.RootReadOnly);
      expect(error.json).toBe(
        '{"errorCode":107,"message":"Root is read only","cause":"/","index":0}',
      );
    }
    asError(d.put('/', { prevExist: false }), ErrorCode.RootReadOnly);
    asEvent(d.post('/', { value: '1' }));
  });

  it('v2 store: set: keys are normalised (trailing slash, doubled slashes, dots)', () => {
    const d = new Driver();
    expect(asEvent(d.put('/n1/', { value: '1' })).node.key).toBe('/n1');
    expect(asEvent(d.put('a//b/./c', { value: '1' })).node.key).toBe('/a/b/c');
    expect(asEvent(d.get('/a/b/c/')).node.value).toBe('1');
  });
});

describe('v2 store: create (prevExist=false)', () => {
  it('v2 store: create: an existing file or directory gives 105 with the key', () => {
    const d = new Driver();
    d.put('/a', { value: '1' });
    d.put('/e', { dir: true });
    const error = asError(d.put('/a', { value: '4', prevExist: false }), ErrorCode.KeyExists);
    expect(error.json).toBe(
      '{"errorCode":105,"message":"Key already exists","cause":"/a","index":2}',
    );
    expect(error.httpStatus).toBe(412);
    asError(d.put('/e', { dir: true, prevExist: false }), ErrorCode.KeyExists);
    asError(d.put('/e', { value: 'v', prevExist: false, prevValue: '1' }), ErrorCode.KeyExists);
  });

  it('v2 store: create: a new key or directory gives action create', () => {
    const d = new Driver();
    expect(asEvent(d.put('/n5', { value: '2', prevExist: false, prevValue: '1' })).json).toBe(
      '{"action":"create","node":{"key":"/n5","value":"2","modifiedIndex":1,"createdIndex":1}}',
    );
    expect(asEvent(d.put('/n6', { dir: true, prevExist: false })).json).toBe(
      '{"action":"create","node":{"key":"/n6","dir":true,"modifiedIndex":2,"createdIndex":2}}',
    );
  });

  it('v2 store: create: through a file gives 104', () => {
    const d = new Driver();
    d.put('/f', { value: '1' });
    asError(d.put('/f/x', { value: '1', prevExist: false }), ErrorCode.NotADirectory);
  });
});

describe('v2 store: update (prevExist=true)', () => {
  it('v2 store: update: a missing key gives 100 naming the first missing component', () => {
    const d = new Driver();
    d.put('/h/x', { value: '1' });
    const result = d.put('/h/nope/x', { value: '1', prevExist: true });
    const error = asError(result, ErrorCode.KeyNotFound);
    expect(error.json).toBe(
      '{"errorCode":100,"message":"Key not found","cause":"/h/nope","index":1}',
    );
    expect(error.httpStatus).toBe(404);
  });

  it('v2 store: update: a file keeps createdIndex and gets the new value', () => {
    const d = new Driver();
    d.put('/a', { value: '4' });
    expect(asEvent(d.put('/a', { value: '5', prevExist: true })).json).toBe(
      '{"action":"update","node":{"key":"/a","value":"5","modifiedIndex":2,"createdIndex":1},' +
        '"prevNode":{"key":"/a","value":"4","modifiedIndex":1,"createdIndex":1}}',
    );
  });

  it('v2 store: update: a directory takes no value (102) but takes a TTL', () => {
    const d = new Driver();
    d.put('/e', { dir: true });
    asError(d.put('/e', { value: 'v', prevExist: true }), ErrorCode.NotAFile);
    asError(d.put('/e', { dir: true, value: 'abc', prevExist: true }), ErrorCode.NotAFile);
    const updated = asEvent(d.put('/e', { dir: true, prevExist: true, ttlSeconds: 60 }));
    expect(updated.action).toBe('update');
    expect(updated.node).toMatchObject({ dir: true, ttl: 60, modifiedIndex: 2, createdIndex: 1 });
    // Deviation from etcd: a later read shows the update's modifiedIndex (etcd shows the old).
    expect(asEvent(d.get('/e')).node.modifiedIndex).toBe(2);
  });

  it('v2 store: update: dir=true on a file sets its value, empty when none is given', () => {
    const d = new Driver();
    d.put('/f', { value: '1' });
    expect(asEvent(d.put('/f', { dir: true, prevExist: true })).node).toEqual({
      key: '/f',
      value: '',
      modifiedIndex: 2,
      createdIndex: 1,
    });
    const withValue = asEvent(d.put('/f', { dir: true, value: 'abc', prevExist: true }));
    expect(withValue.node.value).toBe('abc');
  });
});

describe('v2 store: compare-and-swap', () => {
  function driverWithA(): Driver {
    const d = new Driver();
    d.put('/a', { value: '2' });
    d.put('/a', { value: '3', prevValue: '2' });
    return d; // /a = 3 at modifiedIndex 2, createdIndex 1
  }

  it('v2 store: cas: prevValue match swaps and keeps createdIndex', () => {
    const d = new Driver();
    d.put('/a', { value: '2' });
    expect(asEvent(d.put('/a', { value: '3', prevValue: '2' })).json).toBe(
      '{"action":"compareAndSwap","node":{"key":"/a","value":"3","modifiedIndex":2,' +
        '"createdIndex":1},"prevNode":{"key":"/a","value":"2","modifiedIndex":1,"createdIndex":1}}',
    );
  });

  it('v2 store: cas: prevValue mismatch gives 101 with cause [prev != now]', () => {
    const result = driverWithA().put('/a', { value: '9', prevValue: 'x' });
    const error = asError(result, ErrorCode.CompareFailed);
    expect(error.json).toBe(
      '{"errorCode":101,"message":"Compare failed","cause":"[x != 3]","index":2}',
    );
    expect(error.httpStatus).toBe(412);
  });

  it('v2 store: cas: prevIndex mismatch gives 101 with cause [prev != now]', () => {
    const result = driverWithA().put('/a', { value: '9', prevIndex: 1 });
    expect(causeOf(result, ErrorCode.CompareFailed)).toBe('[1 != 2]');
  });

  it('v2 store: cas: both mismatched name both, value first; one mismatch names only it', () => {
    const d = driverWithA();
    const failed = (result: V2Result) => causeOf(result, ErrorCode.CompareFailed);
    expect(failed(d.put('/a', { prevValue: 'zz', prevIndex: 1 }))).toBe('[zz != 3] [1 != 2]');
    expect(failed(d.put('/a', { prevValue: '3', prevIndex: 1 }))).toBe('[1 != 2]');
    expect(failed(d.put('/a', { prevValue: 'q', prevIndex: 2 }))).toBe('[q != 3]');
    expect(asEvent(d.put('/a', { value: '4', prevValue: '3', prevIndex: 2 })).action).toBe(
      'compareAndSwap',
    );
  });

  it('v2 store: cas: a missing key gives 100, a directory 102', () => {
    const d = driverWithA();
    expect(asError(d.put('/nope', { value: '5', prevIndex: 1 }), ErrorCode.KeyNotFound).cause).toBe(
      '/nope',
    );
    d.put('/e', { dir: true });
    asError(d.put('/e', { value: 'x', prevValue: 'y' }), ErrorCode.NotAFile);
  });

  it('v2 store: cas: prevExist=true with prevValue is a cas; prevIndex=0 is a plain set', () => {
    const d = driverWithA();
    asError(d.put('/n4', { value: '1', prevExist: true, prevValue: '1' }), ErrorCode.KeyNotFound);
    expect(asEvent(d.put('/a', { value: '4', prevExist: true, prevValue: '3' })).action).toBe(
      'compareAndSwap',
    );
    const set = asEvent(d.put('/a', { value: '5', prevIndex: 0 }));
    expect(set.action).toBe('set');
    expect(set.node.createdIndex).toBe(4);
  });

  it('v2 store: cas: an empty prevValue is refused as 201 with index 0', () => {
    const error = asError(driverWithA().put('/a', { prevValue: '' }), ErrorCode.PrevValueRequired);
    expect(error.json).toBe(
      '{"errorCode":201,"message":"PrevValue is Required in POST form",' +
        '"cause":"\\"prevValue\\" cannot be empty","index":0}',
    );
  });
});

describe('v2 store: post (in-order keys)', () => {
  it('v2 store: post: the key is the new etcd index, 20 digits zero-padded', () => {
    const d = new Driver();
    d.put('/x', { value: '1' });
    expect(asEvent(d.post('/q', { value: 'a' })).json).toBe(
      '{"action":"create","node":{"key":"/q/00000000000000000002","value":"a",' +
        '"modifiedIndex":2,"createdIndex":2}}',
    );
    expect(asEvent(d.post('/', { value: 'r' })).node.key).toBe('/00000000000000000003');
    expect(asEvent(d.post('/q', { dir: true })).node).toEqual({
      key: '/q/00000000000000000004',
      dir: true,
      modifiedIndex: 4,
      createdIndex: 4,
    });
  });

  it('v2 store: post: creates missing directories, ignores prevExist and prevValue', () => {
    const d = new Driver();
    const event = asEvent(d.post('/nq/x/y', { value: 'a', prevExist: true, prevValue: 'zz' }));
    expect(event.node.key).toBe('/nq/x/y/00000000000000000001');
    expect(asEvent(d.get('/nq/x')).node.createdIndex).toBe(1);
  });

  it('v2 store: post: to a file gives 104 naming the file', () => {
    const d = new Driver();
    d.put('/f', { value: '1' });
    expect(asError(d.post('/f', { value: 'a' }), ErrorCode.NotADirectory).cause).toBe('/f');
    expect(asError(d.post('/f/x', { value: 'a' }), ErrorCode.NotADirectory).cause).toBe('/f');
  });
});
