import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { CliProcess } from './cli-process.js';

/**
 * `switchyard device CONFIG` as its own process (the TypeScript source run through tsx, or the
 * built executable `main`), so a test can send it SIGTERM or SIGKILL as systemd or a power cut would.
 */
export class DeviceProcess extends CliProcess {
  constructor(configFile: string, env: Record<string, string> = {}, main?: string) {
    super(['device', configFile], env, main !== undefined ? { main } : {});
  }
}

/** Writes a device config object as YAML into `dir`; returns its path. */
export function writeDeviceConfig(dir: string, config: Record<string, unknown>, name = 'device.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, stringify(config));
  return file;
}
