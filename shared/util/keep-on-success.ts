/**
 * An async value built once and kept; a failed build is forgotten so the next call tries again.
 * `peek` gives what was started without starting it (to close only what was opened); `forget` drops
 * it so the next `get` builds anew, and returns what was kept.
 */
export interface Kept<T> {
  get(): Promise<T>;
  peek(): Promise<T> | undefined;
  forget(): Promise<T> | undefined;
}

export function keepOnSuccess<T>(build: () => Promise<T>): Kept<T> {
  let current: Promise<T> | undefined;
  return {
    get() {
      current ??= build().catch((error: unknown) => {
        current = undefined;
        throw error;
      });
      return current;
    },
    peek: () => current,
    forget() {
      const previous = current;
      current = undefined;
      return previous;
    },
  };
}
