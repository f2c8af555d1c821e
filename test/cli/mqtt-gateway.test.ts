import { describe, expect, it } from 'vitest';
import { mqttGatewayFor } from '../../src/cli/mqtt-gateway.js';
import { defaultRouterConfig, parseRouterConfig } from '../../src/router/config.js';

describe('mqttGatewayFor', () => {
  it('loads no gateway for a config without an mqtt listener', async () => {
    expect(await mqttGatewayFor(defaultRouterConfig())).toEqual({});
  });

  it('gives the gateway factory to a config with an mqtt listener', async () => {
    const yaml = 'listen: [ { type: mqtt, host: 127.0.0.1, port: 0 } ]\nrealms: [ { name: home, anonymous: { role: any } } ]\n';
    const { config } = parseRouterConfig(yaml, 'r.yaml', {});
    const options = await mqttGatewayFor(config!);
    expect(typeof options.mqtt).toBe('function');
  });
});
