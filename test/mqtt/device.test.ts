import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runDevice } from '../../src/cli/run-device.js';
import { parseFullDeviceConfig } from '../../src/cli/device-config.js';
import type { Event } from '../../src/client/types.js';
import { formatProblem } from '../../src/common/config-problem.js';
import { silentLogger } from '../../src/common/logger.js';
import { connect } from '../../src/node.js';
import { requireSystem } from '../helpers/system-deps.js';
import { closeAll, hasMosquittoClients, mosquittoPub, onCleanup, until } from './helpers.js';

afterEach(closeAll);

describe.skipIf(!requireSystem('mosquitto-clients', hasMosquittoClients))("the device runtime's local_router with an mqtt listener", () => {
  it('carries a mosquitto_pub reading to a WAMP subscriber of the UI topic', async () => {
    const yaml = stringify({
      device: 'porch',
      local_router: {
        listen: [
          { type: 'mqtt', host: '127.0.0.1', port: 0 },
          { type: 'rawsocket', host: '127.0.0.1', port: 0 },
        ],
      },
      actuators: [{ name: 'light', driver: 'simulated', kind: 'switch', initial: 'off' }],
    });
    const { config, problems } = parseFullDeviceConfig(yaml, 'porch.yaml', {}, () => '');
    if (config === undefined) throw new Error(problems.map(formatProblem).join('\n'));
    const running = await runDevice(config, silentLogger, {});
    onCleanup(() => running.stop());
    const [mqtt, rawsocket] = running.router!.listeners.map((l) => ('port' in l.address ? l.address.port : 0));

    const ui = await connect({ url: `rs://127.0.0.1:${rawsocket}`, realm: 'home', reconnect: false });
    onCleanup(() => ui.leave());
    const readings: Event[] = [];
    await ui.subscribe('devices.porch.temperature', (event) => void readings.push(event));

    const published = await mosquittoPub(mqtt!, ['-t', 'devices/porch/temperature', '-m', '21.5']);
    expect(published).toMatchObject({ code: 0 });
    await until(() => readings.length > 0, 5000, 'the reading on devices.porch.temperature');
    expect(readings[0]).toMatchObject({ topic: 'devices.porch.temperature', args: [21.5] });
  });
});
