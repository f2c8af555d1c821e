import { describe, expect, it } from 'vitest';
import { parseRouterConfig } from '../../src/router/config.js';
import { listenerKey, listenerOriginNames, restoreListenerOrigins } from '../../src/router/listen-errors.js';

const YAML = [
  'listen:',
  '  - { type: universal, host: 127.0.0.1, port: 8080 }',
  '  - type: websocket',
  '    port: 8443',
  '    tls:',
  '      cert: /etc/switchyard/tls.crt',
  '      key: /etc/switchyard/tls.key',
  'realms: [ { name: home, anonymous: { role: guest } } ]',
  '',
].join('\n');

describe('listener origins', () => {
  it('name the config keys of listeners copied by structured clone (a config read in a worker thread)', () => {
    const { config } = parseRouterConfig(YAML, 'router.yaml', {});
    const names = structuredClone(listenerOriginNames(config!.listen));
    const copy = structuredClone(config!);
    // A clone alone has lost them (the origins are functions in a WeakMap).
    expect(listenerKey(copy.listen[0]!, ['port'])).toBe('listener universal 127.0.0.1:8080 (port)');
    restoreListenerOrigins(copy.listen, names);
    expect(listenerKey(copy.listen[0]!, ['port'])).toBe('router.yaml:2: listen[0].port');
    expect(listenerKey(copy.listen[1]!, ['tls', 'key'])).toBe('router.yaml:7: listen[1].tls.key');
    expect(listenerKey(copy.listen[1]!, [])).toBe(listenerKey(config!.listen[1]!, []));
  });

  it('write down nothing for a listener without an origin', () => {
    const { config } = parseRouterConfig(YAML, 'router.yaml', {});
    const copy = structuredClone(config!);
    expect(listenerOriginNames(copy.listen)).toEqual([{}, {}]);
  });
});
