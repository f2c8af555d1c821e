/**
 * The one place the page's state lives: an immutable value replaced by `update`, and listeners
 * told after each change. Views read it through `useStore` (views/hooks.ts); nothing else
 * keeps mutable state that a view renders.
 */
export type Listener = () => void;

export interface Store<S> {
  get(): S;
  /** Replaces the state with `change(state)`; listeners run only when the result is a new value. */
  update(change: (state: S) => S): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: Listener): () => void;
}

export function createStore<S>(initial: S): Store<S> {
  let state = initial;
  const listeners = new Set<Listener>();
  return {
    get: () => state,
    update(change) {
      const next = change(state);
      if (Object.is(next, state)) return;
      state = next;
      for (const listener of [...listeners]) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
