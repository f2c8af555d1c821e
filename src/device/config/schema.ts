import { CONFIG_LOG_LEVELS } from '../../common/logger.js';
import { z } from 'zod';
import { dottedUri, duration, durationWithDefault, filePath, integer, strictMap, uriComponent } from '../../common/schema-parts.js';

/**
 * The device config (PRODUCT.md "Device config"), described once: the TypeScript types
 * (`DeviceConfig` and the driver option types), the validation and devices/device.schema.json
 * all come from here. Keys are snake_case as in the YAML file. Checks that involve more than
 * one entry (unique names and pins) are in checks.ts.
 */

// ---- shared pieces ---------------------------------------------------------------------------

const name = uriComponent('Name of the actuator or sensor: part of its URIs, unique per device.');
const BCM_PIN_MAX = 63;
const pin = integer('GPIO line as its BCM number (GPIO17 → 17), not the header pin.', 0, BCM_PIN_MAX);
const backend = z
  .enum(['auto', 'onoff', 'gpiod'])
  .default('auto')
  .describe('auto: onoff on sysfs GPIO when the kernel has it, else the libgpiod tools (gpioset, gpiomon).');
const activeLow = z.boolean().default(false).describe('The line is low when the actuator is on (or the input is active).');
const gpioChip = z
  .string()
  .min(1)
  .optional()
  .describe('GPIO chip by label (pinctrl-bcm2711) or name (gpiochip0); default: the Raspberry Pi header chip found by label.');

/** `on`/`off`/`true`/`false` → boolean. */
const switchLevel = z
  .union([z.boolean(), z.enum(['on', 'off'])], { error: 'expected on or off' })
  .transform((value) => value === true || value === 'on');

const onDisconnect = z
  .enum(['off', 'on', 'hold'])
  .default('hold')
  .describe('Safe state: what the output does after `grace` without any router session, and on SIGTERM. hold keeps it.');
const grace = durationWithDefault('How long without any router session (upstream or local) before on_disconnect applies.', '30s');

const actuatorCommon = {
  name,
  on_disconnect: onDisconnect,
  grace,
};

// ---- actuators -------------------------------------------------------------------------------

export const gpioActuatorSchema = strictMap({
  ...actuatorCommon,
  driver: z.literal('gpio').describe('A GPIO line (sysfs through onoff, or the libgpiod tools).'),
  pin,
  chip: gpioChip,
  backend,
  active_low: activeLow,
  initial: switchLevel
    .optional()
    .describe('Level driven at start, only if the line is not already there (no glitch on restart); default: keep it.'),
});

export const pwmActuatorSchema = strictMap({
  ...actuatorCommon,
  driver: z.literal('pwm').describe('Hardware PWM through sysfs (dtoverlay=pwm); a dimmer 0..1.'),
  chip: integer('PWM chip number N of /sys/class/pwm/pwmchipN.', 0),
  channel: integer('PWM channel of the chip (pwmM).', 0),
  period: durationWithDefault('PWM period; the value 0..1 sets duty_cycle as a share of it.', '1ms'),
  initial: z.number().min(0).max(1).optional().describe('Duty at start (0..1), only if the output is not already there.'),
});

export const simulatedActuatorSchema = strictMap({
  ...actuatorCommon,
  driver: z.literal('simulated').describe('No hardware: holds the value written to it.'),
  kind: z.enum(['switch', 'dimmer']).default('switch').describe('switch: on/off (boolean); dimmer: 0..1.'),
  initial: z
    .union([z.boolean(), z.enum(['on', 'off']), z.number().min(0).max(1)], { error: 'expected on, off or a number 0..1' })
    .transform((value) => (value === 'on' ? true : value === 'off' ? false : value))
    .optional()
    .describe('State at start (on/off for a switch, 0..1 for a dimmer).'),
});

export const actuatorSchema = z.discriminatedUnion('driver', [gpioActuatorSchema, pwmActuatorSchema, simulatedActuatorSchema]);

// ---- sensors ---------------------------------------------------------------------------------

const sensorCommon = {
  name,
  unit: z.string().optional().describe('Unit sent with every reading (kwargs.unit); drivers that know theirs fill it in.'),
  interval: durationWithDefault('A reading every interval (polled sensors).', '10s'),
  deadband: z
    .number()
    .nonnegative()
    .optional()
    .describe('Publish only when the value differs from the last published one by more than this (0: on any change).'),
  max_interval: duration('With a deadband: publish a fresh reading at least this often.').optional(),
  throttle: duration('At most one publication per this time.').optional(),
  average: integer('Publish the moving average over this many samples.', 1, 10_000).optional(),
};

export const gpioSensorSchema = strictMap({
  ...sensorCommon,
  driver: z.literal('gpio').describe('A GPIO line (sysfs through onoff, or the libgpiod tools).'),
  pin,
  chip: gpioChip,
  backend,
  active_low: activeLow,
  edge: z
    .enum(['rising', 'falling', 'both'])
    .optional()
    .describe('Publish on these edges (interrupts, never polling); without it the input is read every interval.'),
  debounce: duration('Ignore changes that do not last this long.').optional(),
  pull: z.enum(['up', 'down', 'off']).optional().describe('Internal pull resistor (libgpiod backend only).'),
});

export const ds18b20SensorSchema = strictMap({
  ...sensorCommon,
  driver: z.literal('ds18b20').describe('DS18B20 thermometer on 1-Wire (dtoverlay=w1-gpio), °C.'),
  id: z
    .string()
    .regex(/^[0-9a-f]{2}-[0-9a-f]{12}$/, { message: 'expected a 1-Wire id such as 28-0316a2795aff' })
    .describe('1-Wire device id under /sys/bus/w1/devices.'),
});

export const iioSensorSchema = strictMap({
  ...sensorCommon,
  driver: z.literal('iio').describe('Any kernel IIO sensor: DHT11/22, BME280, ADCs.'),
  device: z
    .string()
    .regex(/^iio:device\d+$/, { message: 'expected an IIO device such as iio:device0' })
    .describe('IIO device under /sys/bus/iio/devices (iio:device0).'),
  channel: z
    .string()
    .regex(/^[a-z0-9_]+$/, { message: 'expected a channel such as temp or humidityrelative' })
    .describe('Channel: in_<channel>_input, or in_<channel>_raw × _scale + _offset (temp, humidityrelative, pressure, voltage0).'),
});

export const serialSensorSchema = strictMap({
  ...sensorCommon,
  driver: z.literal('serial').describe('A serial port printing one value (or JSON object) per line.'),
  path: filePath('Serial port; re-resolved at every open, so /dev/serial/by-id/… links work.'),
  baud: integer('Baud rate.', 50, 4_000_000).default(9600),
  parse: z.enum(['line', 'json']).default('line').describe('line: each line is a number; json: each line a JSON object.'),
  field: z.string().min(1).optional().describe('With parse: json, the field holding the value (dots for nested fields).'),
});

export const systemSensorSchema = strictMap({
  ...sensorCommon,
  driver: z.literal('system').describe('The machine itself: CPU temperature, load, memory.'),
  metric: z.enum(['cpu_temp', 'load1', 'mem_used']).describe('cpu_temp (°C), load1 (1-minute load average), mem_used (%).'),
});

export const simulatedSensorSchema = strictMap({
  ...sensorCommon,
  driver: z.literal('simulated').describe('No hardware: a seeded random walk.'),
  kind: z.enum(['analog', 'digital']).default('analog').describe('analog: a number between min and max; digital: true/false.'),
  min: z.number().default(0).describe('Lowest value of the random walk.'),
  max: z.number().default(100).describe('Highest value of the random walk.'),
  seed: integer('Seed of the random walk (the same seed gives the same readings).', 0, 2 ** 32 - 1).default(1),
});

export const sensorSchema = z.discriminatedUnion('driver', [
  gpioSensorSchema,
  ds18b20SensorSchema,
  iioSensorSchema,
  serialSensorSchema,
  systemSensorSchema,
  simulatedSensorSchema,
]);

// ---- sessions ----------------------------------------------------------------------------------

const secretHelp = 'Inline, ${ENV_VAR}, or in a file with the _file key.';

export const upstreamAuthSchema = z.discriminatedUnion('method', [
  strictMap({
    method: z.literal('anonymous').describe('No credentials.'),
    authid: z.string().min(1).optional().describe('Ignored by most routers (they assign one).'),
  }),
  strictMap({
    method: z.literal('ticket').describe('A shared ticket (password).'),
    authid: z.string().min(1).describe('The user name the router knows.'),
    ticket: z.string().min(1).optional().describe(`The ticket. ${secretHelp}`),
    ticket_file: filePath('File holding the ticket.').optional(),
  }),
  strictMap({
    method: z.literal('wampcra').describe('WAMP challenge-response with a shared secret.'),
    authid: z.string().min(1).describe('The user name the router knows.'),
    secret: z.string().min(1).optional().describe(`The WAMP-CRA secret. ${secretHelp}`),
    secret_file: filePath('File holding the secret.').optional(),
  }),
  strictMap({
    method: z.literal('cryptosign').describe('Ed25519 signature; the router knows the public key.'),
    authid: z.string().min(1).optional().describe('The user name the router knows (some routers find it by the key).'),
    key: filePath('Ed25519 private key file (PKCS#8 PEM from switchyard keygen, or a 64-hex seed); mode 0600.'),
  }),
]);

export const upstreamSchema = strictMap({
  url: z.string().min(1).describe('Router URL: rs://, rss://, ws://…/ws, wss://…, unix:///path.'),
  auth: upstreamAuthSchema.optional().describe('Default: anonymous.'),
  serializer: z.enum(['cbor', 'msgpack', 'json']).default('cbor').describe('How messages are encoded on this connection.'),
  ca: filePath('CA certificate (PEM) to trust, e.g. the router’s self-signed one (rss://, wss://).').optional(),
});

export const bufferSchema = strictMap({
  max: integer('Readings kept for upstream while it is unreachable; the oldest are dropped first.', 1, 10_000_000).default(10_000),
  persist: z.boolean().default(false).describe('Keep the buffer on disk under state_dir, across restarts.'),
  flush: durationWithDefault('With persist: at most one disk write per this time (a reading is on disk within 2 × flush).', '5s'),
});

// ---- the file ----------------------------------------------------------------------------------

export const deviceConfigSchema = strictMap({
  device: uriComponent('Device name: part of every URI ({prefix}.{device}.…).'),
  realm: dottedUri('WAMP realm joined upstream and on the local router.').default('home'),
  prefix: dottedUri('First part of every URI.').default('devices'),
  upstream: z.array(upstreamSchema).default([]).describe('Routers tried in order; reconnects with jittered backoff.'),
  local_router: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('An embedded router in the router config format (listen, realms, limits); omit to disable.'),
  actuators: z.array(actuatorSchema).default([]).describe('Outputs: each becomes the procedures set, get (and toggle) and a retained state topic.'),
  sensors: z.array(sensorSchema).default([]).describe('Inputs: each publishes readings on {prefix}.{device}.{name}.'),
  buffer: bufferSchema.prefault({}).describe('Readings kept for the upstream router until it acknowledges them.'),
  state_dir: filePath('Where the persisted buffer lives (systemd StateDirectory).').optional(),
  sysfs: filePath('Root of sysfs for the sysfs drivers (tests point it at a fake tree).').default('/sys'),
  log_level: z.enum(CONFIG_LOG_LEVELS).default('info').describe('Least severe level logged (to stderr; --log-level overrides it).'),
});

export type DeviceConfigInput = z.input<typeof deviceConfigSchema>;
export type DeviceFileConfig = z.output<typeof deviceConfigSchema>;
export type ActuatorConfig = z.output<typeof actuatorSchema>;
export type SensorConfig = z.output<typeof sensorSchema>;
export type GpioActuatorConfig = z.output<typeof gpioActuatorSchema>;
export type PwmActuatorConfig = z.output<typeof pwmActuatorSchema>;
export type SimulatedActuatorConfig = z.output<typeof simulatedActuatorSchema>;
export type GpioSensorConfig = z.output<typeof gpioSensorSchema>;
export type Ds18b20SensorConfig = z.output<typeof ds18b20SensorSchema>;
export type IioSensorConfig = z.output<typeof iioSensorSchema>;
export type SerialSensorConfig = z.output<typeof serialSensorSchema>;
export type SystemSensorConfig = z.output<typeof systemSensorSchema>;
export type SimulatedSensorConfig = z.output<typeof simulatedSensorSchema>;
export type UpstreamConfig = z.output<typeof upstreamSchema>;
export type BufferConfig = z.output<typeof bufferSchema>;
