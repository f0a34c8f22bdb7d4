/**
 * Lists of row indices (one per centroid group), reused across Lloyd
 * iterations: int32 storage that grows by doubling and is cleared, not
 * reallocated, so a bounded E-step allocates nothing per row.
 */
export class RowLists {
  private readonly lists: Int32Array[];
  private readonly sizes: Int32Array;

  constructor(count: number, initialCapacity = 64) {
    this.lists = Array.from({ length: count }, () => new Int32Array(initialCapacity));
    this.sizes = new Int32Array(count);
  }

  /** Empties every list. */
  clear(): void {
    this.sizes.fill(0);
  }

  /** Appends row `i` to list `g`. */
  push(g: number, i: number): void {
    const size = this.sizes[g]!;
    let list = this.lists[g]!;
    if (size === list.length) {
      const grown = new Int32Array(list.length * 2);
      grown.set(list);
      this.lists[g] = list = grown;
    }
    list[size] = i;
    this.sizes[g] = size + 1;
  }

  /** Length of list `g`. */
  size(g: number): number {
    return this.sizes[g]!;
  }

  /** List `g` (a view, valid until the next push or clear). */
  list(g: number): Int32Array {
    return this.lists[g]!.subarray(0, this.sizes[g]!);
  }
}
