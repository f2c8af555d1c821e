import { createElement, type Component, type FunctionComponent } from 'preact';
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

/**
 * `component`, re-rendered by its parent only when a prop changed (compared with ===): a
 * reading of one device re-renders that device's card, not every card. preact/compat's memo,
 * without compat (which would patch Preact globally and weigh on the first load).
 */
export function memo<P extends object>(component: FunctionComponent<P>): FunctionComponent<P> {
  function shouldUpdate(this: Component<P>, next: P): boolean {
    const props = this.props as Record<string, unknown>;
    for (const key in props) if (props[key] !== (next as Record<string, unknown>)[key]) return true;
    for (const key in next) if (!(key in props)) return true;
    return false;
  }
  function Memo(this: Component<P>, props: P) {
    this.shouldComponentUpdate = shouldUpdate;
    return createElement(component, props);
  }
  return Memo;
}
