import { describe, expect, it } from 'vitest';
import { RowLists } from './row-lists';

describe('RowLists', () => {
  it('grows past its capacity, keeps lists apart and clears without losing capacity', () => {
    const lists = new RowLists(2, 2);
    for (let i = 0; i < 9; i++) lists.push(i % 3 === 0 ? 1 : 0, i);
    expect(Array.from(lists.list(0))).toEqual([1, 2, 4, 5, 7, 8]);
    expect(Array.from(lists.list(1))).toEqual([0, 3, 6]);
    expect(lists.size(0)).toBe(6);
    lists.clear();
    expect(lists.size(0)).toBe(0);
    expect(lists.list(1).length).toBe(0);
    lists.push(1, 42);
    expect(Array.from(lists.list(1))).toEqual([42]);
  });
});
