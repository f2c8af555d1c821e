import type { Clock, TimerHandle } from '../common/clock.js';

/** What the guard needs of an actuator. */
export interface GuardedActuator {
  readonly config: { readonly on_disconnect: 'off' | 'on' | 'hold'; readonly grace: number };
  applySafeState(reason: string): Promise<void>;
}

/**
 * Writes the safe state (`on_disconnect`) of each actuator once the device has had no router
 * session at all, upstream or local, for that actuator's `grace`. The clock starts at start-up
 * (no session yet) and whenever the last session is lost; any session joining stops it.
 */
export class SafeStateGuard {
  readonly #clock: Clock;
  readonly #actuators: readonly GuardedActuator[];
  readonly #timers: TimerHandle[] = [];
  #joined = 0;
  #stopped = false;

  constructor(actuators: readonly GuardedActuator[], clock: Clock) {
    this.#actuators = actuators.filter((actuator) => actuator.config.on_disconnect !== 'hold');
    this.#clock = clock;
  }

  /** Starts the grace timers (no session yet). */
  start(): void {
    this.#arm();
  }

  sessionJoined(): void {
    this.#joined++;
    this.#disarm();
  }

  sessionLost(): void {
    this.#joined = Math.max(0, this.#joined - 1);
    if (this.#joined === 0) this.#arm();
  }

  stop(): void {
    this.#stopped = true;
    this.#disarm();
  }

  #arm(): void {
    if (this.#stopped || this.#timers.length > 0) return;
    for (const actuator of this.#actuators) {
      const grace = actuator.config.grace;
      this.#timers.push(this.#clock.setTimeout(() => void actuator.applySafeState(`no router session for ${grace} ms`), grace));
    }
  }

  #disarm(): void {
    for (const timer of this.#timers.splice(0)) this.#clock.clearTimeout(timer);
  }
}
