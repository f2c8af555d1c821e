import type { ActuatorValue } from '../model/devices.js';
import type { Credentials } from '../model/connection.js';

/** What the views can ask for; main.ts wires it to DeviceSync and ConnectionManager. */
export interface Actions {
  set(device: string, actuator: string, value: ActuatorValue): void;
  toggle(device: string, actuator: string): void;
  dismissError(device: string, actuator: string): void;
  login(credentials: Credentials): Promise<void>;
  logout(): void;
  retry(): void;
}
