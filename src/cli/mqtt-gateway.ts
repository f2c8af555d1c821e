import type { RouterConfig } from '../router/config.js';
import type { ServeOptions } from '../router/serve.js';

/**
 * The MQTT gateway for a router config, loaded only when the config has an `mqtt` listener: a
 * device or router without one never loads it (nor mqtt-packet), which keeps start-up and idle
 * memory down on a small board.
 */
export async function mqttGatewayFor(config: RouterConfig): Promise<Pick<ServeOptions, 'mqtt'>> {
  if (!config.listen.some((listener) => listener.type === 'mqtt')) return {};
  const { listenMqtt } = await import('../mqtt/index.js');
  return { mqtt: listenMqtt };
}
