/**
 * Read-ahead over an async iterable: a producer keeps pulling up to `limit` items while the
 * consumer works on the ones already here. A MongoDB cursor asks for its next batch (`getMore`)
 * only when its buffer is empty, so without this the server idles while a read converts a batch
 * into Arrow, and the read idles while the server fetches the next one. At most `2 × limit`
 * items are held: the chunk the consumer took plus `limit` buffered behind it.
 */
export async function* readAhead<T>(source: AsyncIterable<T>, limit: number): AsyncGenerator<T> {
  let buffer: T[] = [];
  let done = false;
  let stopped = false;
  let failure: { error: unknown } | undefined;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;
  const wake = (which: 'consumer' | 'producer') => {
    const resolve = which === 'consumer' ? wakeConsumer : wakeProducer;
    if (which === 'consumer') wakeConsumer = undefined;
    else wakeProducer = undefined;
    resolve?.();
  };
  const producer = (async () => {
    try {
      for await (const item of source) {
        buffer.push(item);
        wake('consumer');
        while (buffer.length >= limit && !stopped) await new Promise<void>((r) => (wakeProducer = r));
        if (stopped) break;
      }
    } catch (error) {
      failure = { error };
    } finally {
      done = true;
      wake('consumer');
    }
  })();
  try {
    for (;;) {
      if (buffer.length) {
        // Take everything buffered at once; the producer refills a fresh array meanwhile.
        const chunk = buffer;
        buffer = [];
        wake('producer');
        yield* chunk;
        continue;
      }
      if (failure) throw failure.error;
      if (done) return;
      await new Promise<void>((r) => (wakeConsumer = r));
    }
  } finally {
    stopped = true;
    wake('producer');
    await producer;
  }
}
