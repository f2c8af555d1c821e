import { useEffect, useState } from 'preact/hooks';
import type { Store } from '../model/store.js';

/** The store's current state; re-renders the component on every change. */
export function useStore<S>(store: Store<S>): S {
  const [state, setState] = useState(() => store.get());
  useEffect(() => {
    setState(store.get());
    return store.subscribe(() => setState(store.get()));
  }, [store]);
  return state;
}

/** The time, refreshed every `everyMs` (for ages and countdowns). */
export function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
