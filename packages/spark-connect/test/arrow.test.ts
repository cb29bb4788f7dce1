import { describe, expect, it } from 'vitest';
import { Field, Int32, List, Struct, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { rowsOf } from '../src/arrow.js';

describe('rowsOf', () => {
  it('turns nested lists and structs into plain arrays and objects, NULLs kept', () => {
    const ints = vectorFromArray([[1, 2, null], null, []], new List(new Field('element', new Int32(), true)));
    const structs = vectorFromArray(
      [{ a: 1, tags: ['x', null] }, null, { a: null, tags: [] }],
      new Struct([new Field('a', new Int32(), true), new Field('tags', new List(new Field('element', new Utf8(), true)), true)]),
    );
    const [batch] = new Table({ ints, structs }).batches;
    expect(rowsOf(batch!)).toEqual([
      { ints: [1, 2, null], structs: { a: 1, tags: ['x', null] } },
      { ints: null, structs: null },
      { ints: [], structs: { a: null, tags: [] } },
    ]);
  });
});
