import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../../src/common/config-problem.js';
import { parseDeviceConfig } from '../../../src/device/config/load.js';

/** Problems of a config text as `check` prints them (file `d.yaml`). */
function problems(text: string, env: Record<string, string> = {}, files: Record<string, string> = {}): string[] {
  const readFile = (path: string) => {
    const content = files[path];
    if (content === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    return content;
  };
  return parseDeviceConfig(text, '/etc/switchyard/d.yaml', { env, readFile, readPrivateKey: () => 'ab'.repeat(32) }).problems.map((problem) =>
    formatProblem(problem).replace('/etc/switchyard/d.yaml', 'd.yaml'),
  );
}

const lines = (...text: string[]) => `${text.join('\n')}\n`;

describe('parseDeviceConfig', () => {
  it('applies the defaults of a minimal config', () => {
    const { config } = parseDeviceConfig('device: porch\n', 'd.yaml', { env: {} });
    expect(config).toMatchObject({
      device: 'porch',
      realm: 'home',
      prefix: 'devices',
      upstream: [],
      actuators: [],
      sensors: [],
      buffer: { max: 10_000, persist: false, flush: 5000 },
      sysfs: '/sys',
      state_dir: '/var/lib/switchyard',
      log_level: 'info',
    });
  });

  it('parses durations to milliseconds and fills in driver defaults', () => {
    const { config } = parseDeviceConfig(
      lines(
        'device: porch',
        'actuators: [ { name: light, driver: gpio, pin: 17, initial: on, grace: 2m } ]',
        'sensors: [ { name: t, driver: ds18b20, id: 28-0316a2795aff, interval: 1.5s, max_interval: 1h, deadband: 0.2, throttle: 500ms } ]',
      ),
      'd.yaml',
      { env: {} },
    );
    expect(config?.actuators[0]).toEqual({
      name: 'light',
      driver: 'gpio',
      pin: 17,
      backend: 'auto',
      active_low: false,
      initial: true,
      on_disconnect: 'hold',
      grace: 120_000,
    });
    expect(config?.sensors[0]).toMatchObject({ interval: 1500, max_interval: 3_600_000, deadband: 0.2, throttle: 500 });
  });

  it('reports every problem at once, each at its line', () => {
    expect(
      problems(
        lines(
          'device: Porch Light', //                                                   1
          'realm: "bad realm"', //                                                     2
          'colour: blue', //                                                           3
          'actuators:', //                                                             4
          '  - { name: light, driver: gpio, pin: 64 }', //                             5
          '  - { name: lamp, driver: pwm, chip: 0, channel: 0, initial: 1.5 }', //     6
          '  - { name: fan, driver: relay }', //                                        7
          'sensors:', //                                                               8
          '  - { name: t, driver: ds18b20, id: abc, interval: soon }', //              9
          '  - { name: m, driver: gpio, pin: 4, edge: up, debounce: -1 }', //          10
          '  - { driver: iio, device: "iio:device0", channel: temp }', //              11
          'buffer: { max: 0, persist: yes }', //                                       12
        ),
      ),
    ).toEqual([
      'd.yaml:1: device: expected a name of lowercase letters, digits and _ (it is part of every URI)',
      'd.yaml:2: realm: expected a URI such as devices or com.example.home (no spaces, # or empty parts)',
      'd.yaml:3: colour: unknown key (expected one of: device, realm, prefix, upstream, local_router, actuators, sensors, buffer, state_dir, sysfs, log_level)',
      'd.yaml:5: actuators[0].pin: expected a number of at most 63, got 64',
      'd.yaml:6: actuators[1].initial: expected a number of at most 1, got 1.5',
      "d.yaml:7: actuators[2].driver: expected one of gpio, pwm, simulated, got 'relay'",
      'd.yaml:9: sensors[0].interval: expected a duration such as 500ms, 10s, 5m or 1h',
      'd.yaml:9: sensors[0].id: expected a 1-Wire id such as 28-0316a2795aff',
      "d.yaml:10: sensors[1].edge: expected one of rising, falling, both, got 'up'",
      'd.yaml:10: sensors[1].debounce: a duration cannot be negative',
      'd.yaml:11: sensors[2].name: missing required key',
      'd.yaml:12: buffer.max: expected a number of at least 1, got 0',
      'd.yaml:12: buffer.persist: expected a boolean, got a string',
    ]);
  });

  it('reports names shared by an actuator and a sensor, reused pins and keys that need another one', () => {
    expect(
      problems(
        lines(
          'device: porch',
          'actuators:',
          '  - { name: light, driver: gpio, pin: 17 }',
          '  - { name: status, driver: simulated }',
          'sensors:',
          '  - { name: light, driver: gpio, pin: 17 }',
          '  - { name: door, driver: gpio, pin: 5, average: 3 }',
          '  - { name: t, driver: system, metric: cpu_temp, max_interval: 5m }',
          '  - { name: air, driver: serial, path: /dev/ttyUSB0, field: pm25 }',
          '  - { name: sim, driver: simulated, min: 10, max: 1 }',
        ),
      ),
    ).toEqual([
      "d.yaml:4: actuators[1].name: 'status' is reserved for the device's own URI",
      "d.yaml:6: sensors[0].name: name 'light' is already used by actuators[0] (actuators and sensors share one namespace)",
      'd.yaml:6: sensors[0].pin: pin 17 is already used by actuators[0]',
      'd.yaml:7: sensors[1].average: a digital input cannot be averaged',
      'd.yaml:8: sensors[2].max_interval: only used together with deadband',
      'd.yaml:9: sensors[3].field: only used with parse: json',
      'd.yaml:10: sensors[4].min: min (10) is greater than max (1)',
    ]);
  });

  it('allows the same pin number on two different chips', () => {
    expect(
      problems(
        lines(
          'device: porch',
          'actuators: [ { name: a, driver: gpio, pin: 3, chip: gpiochip0 }, { name: b, driver: gpio, pin: 3, chip: gpiochip1 } ]',
        ),
      ),
    ).toEqual([]);
  });

  it('checks upstream URLs and credentials, reading secret files relative to the config', () => {
    expect(
      problems(
        lines(
          'device: porch',
          'upstream:',
          '  - { url: "ftp://hub" }',
          '  - { url: rs://hub, auth: { method: ticket, authid: porch } }',
          '  - { url: rs://hub, auth: { method: ticket, authid: porch, ticket: a, ticket_file: t } }',
          '  - { url: rs://hub, auth: { method: wampcra, authid: porch, secret_file: missing.secret } }',
          '  - { url: rss://hub, ca: ca.pem, auth: { method: ticket, authid: porch, ticket_file: porch.ticket } }',
        ),
        {},
        { '/etc/switchyard/ca.pem': 'PEM', '/etc/switchyard/porch.ticket': 'from-a-file\n' },
      ),
    ).toEqual([
      'd.yaml:3: upstream[0].url: invalid router URL: unsupported scheme "ftp:" (expected rs://, rss://, unix://, ws:// or wss://)',
      'd.yaml:4: upstream[1].auth: missing required key ticket (or ticket_file)',
      'd.yaml:5: upstream[2].auth.ticket_file: give either ticket or ticket_file, not both',
      'd.yaml:6: upstream[3].auth.secret_file: cannot read /etc/switchyard/missing.secret: no such file',
    ]);
  });

  it('reads the credentials into the upstream targets', () => {
    const { config } = parseDeviceConfig(
      lines('device: porch', 'upstream:', '  - { url: rss://hub:8443, ca: ca.pem, serializer: json, auth: { method: ticket, authid: porch, ticket_file: porch.ticket } }'),
      '/etc/switchyard/d.yaml',
      { env: {}, readFile: (path) => ({ '/etc/switchyard/ca.pem': 'PEM', '/etc/switchyard/porch.ticket': 'from-a-file\n' })[path]! },
    );
    expect(config?.upstream).toEqual([
      { url: 'rss://hub:8443', serializer: 'json', ca: 'PEM', auth: { method: 'ticket', authid: 'porch', ticket: 'from-a-file' } },
    ]);
  });

  it('never echoes a secret in a problem', () => {
    const out = problems(
      lines(
        'device: porch',
        'upstream:',
        '  - { url: rs://hub, auth: { method: ticket, authid: porch, ticket: [hunter2] } }',
        '  - { url: rs://hub, auth: { method: wampcra, authid: porch, secret: 31337, bogus: hunter3 } }',
        '  - { url: rs://hub, auth: { method: ticket, authid: porch, ticket: "${TICKET}", ticket_file: x } }',
      ),
      { TICKET: 'hunter4' },
    );
    expect(out.length).toBeGreaterThanOrEqual(3);
    expect(out.join('\n')).not.toMatch(/hunter|31337/);
  });

  it('expands ${NAME} from the environment, typed as the text would be, and reports unset names', () => {
    const { config } = parseDeviceConfig(lines('device: ${NAME}', 'buffer: { max: "${MAX}", persist: "${PERSIST}" }'), 'd.yaml', {
      env: { NAME: 'porch', MAX: '50', PERSIST: 'true' },
    });
    expect(config?.buffer).toMatchObject({ max: 50, persist: true });
    expect(config?.device).toBe('porch');
    expect(problems(lines('device: porch', 'upstream: [ { url: "rs://${HUB}:8081" } ]'))).toEqual([
      'd.yaml:2: upstream[0].url: environment variable HUB is not set',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problems(lines('device: porch', 'actuators:', '  - { name: light, driver: gpio, pin: 17'))).toEqual([
      expect.stringMatching(/^d\.yaml:3: \(yaml\): /),
    ]);
  });
});
