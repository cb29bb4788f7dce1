/**
 * Runs `work` over `items` with at most `limit` in flight, keeping results in input order.
 * `sparkle test --all` uses it: checks are network-bound, but dozens at once would trip
 * connection limits and make timings meaningless.
 */
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
