/**
 * Async iterators for subscription streams. Each passes `return()` on to its
 * source at once, even while a `next()` is waiting there: a subscription that
 * ends (the client completes it, the socket closes) must leave the event feed
 * now, not after the next event.
 */
export type Stream<T> = AsyncIterableIterator<T> & { return(): Promise<IteratorResult<T>> };

const DONE = { value: undefined, done: true } as const;

function stream<T>(step: () => Promise<IteratorResult<T>>, stop: () => Promise<unknown>): Stream<T> {
  return {
    next: step,
    async return() {
      await stop();
      return DONE;
    },
    async throw(error: unknown) {
      await stop();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** Each value of `source` through `map`; a failing `map` ends the source and rejects that `next()`. */
export function mapStream<T, R>(source: AsyncIterator<T>, map: (value: T) => Promise<R>): Stream<R> {
  const stop = async () => source.return?.();
  return stream<R>(async () => {
    const step = await source.next();
    if (step.done) return DONE;
    try {
      return { value: await map(step.value), done: false };
    } catch (error) {
      await stop();
      throw error;
    }
  }, stop);
}

/** The values of `source` that `admit` lets through; a failing `admit` ends the source and rejects that `next()`. */
export function filterStream<T>(source: AsyncIterator<T>, admit: (value: T) => Promise<boolean>): Stream<T> {
  const stop = async () => source.return?.();
  return stream<T>(async () => {
    for (;;) {
      const step = await source.next();
      if (step.done) return DONE;
      let admitted: boolean;
      try {
        admitted = await admit(step.value);
      } catch (error) {
        await stop();
        throw error;
      }
      if (admitted) return step;
    }
  }, stop);
}
