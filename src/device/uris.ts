/**
 * The URIs a device exposes (PRODUCT.md "URIs a device exposes"): everything under
 * `{prefix}.{device}`. Names were checked by the config schema to be single URI components.
 */
export class DeviceUris {
  /** `{prefix}.{device}`. */
  readonly base: string;
  /** Reading topics by sensor: upstream delivery asks for one per reading. */
  readonly #readings = new Map<string, string>();

  constructor(prefix: string, device: string) {
    this.base = `${prefix}.${device}`;
  }

  /** Procedure: set an actuator (args [value]); returns the new state. */
  set(actuator: string): string {
    return `${this.base}.${actuator}.set`;
  }

  /** Procedure: an actuator's state. */
  get(actuator: string): string {
    return `${this.base}.${actuator}.get`;
  }

  /** Procedure: flip an on/off actuator; returns the new state. */
  toggle(actuator: string): string {
    return `${this.base}.${actuator}.toggle`;
  }

  /** Topic: every state change of an actuator (retained). */
  state(actuator: string): string {
    return `${this.base}.${actuator}.state`;
  }

  /** Topic: every reading of a sensor (made once per sensor). */
  reading(sensor: string): string {
    let topic = this.#readings.get(sensor);
    if (topic === undefined) this.#readings.set(sensor, (topic = `${this.base}.${sensor}`));
    return topic;
  }

  /** Procedure: the device's description. */
  get describe(): string {
    return `${this.base}.describe`;
  }

  /** Topic: `online` / `offline` (retained; `offline` also by testament). */
  get status(): string {
    return `${this.base}.status`;
  }
}
