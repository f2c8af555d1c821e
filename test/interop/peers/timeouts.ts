/** Default bound for one interop step (a call, a join, an awaited event). */
export const STEP_TIMEOUT_MS = 5_000;

/** Thrown when an awaited interop step does not finish in time; names the step. */
export class StepTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`timed out after ${ms} ms: ${what}`);
    this.name = 'StepTimeoutError';
  }
}

/** Resolves or rejects like `promise`, or rejects with StepTimeoutError after `ms`. */
export function withTimeout<T>(promise: PromiseLike<T>, what: string, ms = STEP_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepTimeoutError(what, ms)), ms);
  });
  return Promise.race([Promise.resolve(promise), timeout]).finally(() => clearTimeout(timer));
}
