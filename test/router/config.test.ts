import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatProblem } from '../../src/common/config-problem.js';
import {
  ConfigError,
  DEFAULT_LIMITS,
  defaultRouterConfig,
  loadRouterConfig,
  localRouterConfigSchema,
  parseLocalRouterConfig,
  parseRouterConfig,
  routerConfigSchema,
} from '../../src/router/config.js';
import { parseFullDeviceConfig } from '../../src/cli/device-config.js';

const FIXTURES = resolve(__dirname, '../fixtures/config');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

/** Problems of `text` as printed by `switchyard check`. */
function problemsOf(text: string, env: Record<string, string> = {}, readFile?: (path: string) => string): string[] {
  return parseRouterConfig(text, 'r.yaml', env, readFile).problems.map(formatProblem);
}

function configOf(text: string, env: Record<string, string> = {}, readFile?: (path: string) => string) {
  const { config, problems } = parseRouterConfig(text, '/etc/switchyard/router.yaml', env, readFile);
  expect(problems.map(formatProblem)).toEqual([]);
  return config!;
}

describe('router config', () => {
  it('reads the product example with every listener type and auth method', () => {
    const config = configOf(fixture('router-full.yaml'));
    expect(config.listen).toEqual([
      { type: 'universal', host: '0.0.0.0', port: 8080 },
      { type: 'rawsocket', host: '0.0.0.0', port: 8081 },
      { type: 'rawsocket', path: '/run/switchyard/router.sock' },
      { type: 'mqtt', host: '0.0.0.0', port: 1883, realm: 'home' },
      { type: 'rawsocket', host: '0.0.0.0', port: 8443, tls: { cert: '/etc/switchyard/tls.crt', key: '/etc/switchyard/tls.key' } },
      { type: 'websocket', host: '127.0.0.1', port: 9000, path: '/ws' },
    ]);
    const [home, lab] = config.realms;
    expect(home!.anonymous).toEqual({ role: 'public' });
    expect(home!.strictUris).toBe(true);
    expect(home!.users).toEqual([
      { authid: 'alice', method: 'ticket', ticket: 'secret123', role: 'user' },
      { authid: 'bob', method: 'wampcra', secret: 'prq7+YkJ1/KlW1X0YczMHw==', role: 'user' },
      { authid: 'carol', method: 'wampcra', secret: 'pw', salt: 'salt123', iterations: 1000, keylen: 32, role: 'user' },
      { authid: 'porch', method: 'cryptosign', pubkey: '4a5c9d5e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3e1', role: 'device' },
    ]);
    expect(home!.roles!.device).toEqual([
      { uri: 'devices.porch.', match: 'prefix', allow: ['register', 'publish', 'subscribe', 'call'] },
      { uri: 'devices..status', match: 'wildcard', allow: ['subscribe'] },
      { uri: 'devices.hub.describe', match: 'exact', allow: ['call'] },
    ]);
    expect(lab).toEqual({ name: 'lab', users: [], strictUris: false });
    expect(config.limits).toEqual({ maxMessageSize: 65536, maxSessions: 10, maxQueueBytes: DEFAULT_LIMITS.maxQueueBytes });
    expect(config.logLevel).toBe('debug');
  });

  it('applies defaults to a config with only a realm', () => {
    const config = configOf(fixture('router-minimal.yaml'));
    expect(config).toEqual({
      listen: [
        { type: 'universal', host: '127.0.0.1', port: 8080 },
        { type: 'rawsocket', host: '127.0.0.1', port: 8081 },
      ],
      realms: [{ name: 'home', users: [], strictUris: false }],
      limits: { maxMessageSize: 16777215, maxSessions: 1000, maxQueueBytes: 16777216 },
      logLevel: 'info',
    });
    expect(config.realms[0]).not.toHaveProperty('anonymous');
    expect(config.realms[0]).not.toHaveProperty('roles');
  });

  it('gives each listener type its default port, host and path', () => {
    const config = configOf(`
listen:
  - { type: universal }
  - { type: websocket, port: 9000 }
  - { type: rawsocket }
  - { type: mqtt }
  - { type: mqtt, host: 127.0.0.1, tls: { cert: tls/c.pem, key: tls/k.pem, ca: /ca.pem } }
realms: [ { name: home } ]
`);
    expect(config.listen).toEqual([
      { type: 'universal', host: '0.0.0.0', port: 8080 },
      { type: 'websocket', host: '0.0.0.0', port: 9000, path: '/ws' },
      { type: 'rawsocket', host: '0.0.0.0', port: 8081 },
      { type: 'mqtt', host: '0.0.0.0', port: 1883, realm: 'home' },
      {
        type: 'mqtt',
        host: '127.0.0.1',
        port: 8883,
        realm: 'home',
        tls: { cert: '/etc/switchyard/tls/c.pem', key: '/etc/switchyard/tls/k.pem', ca: '/ca.pem' },
      },
    ]);
  });

  it('reads the mqtt listener keys (payload mapping, limits), keeping only what the file says', () => {
    const config = configOf(`
listen:
  - { type: mqtt, payload: raw, max_packet_size: 65536, inflight_window: 10, max_queued_messages: 0 }
  - { type: mqtt, port: 1884 }
realms: [ { name: home } ]
`);
    expect(config.listen).toEqual([
      { type: 'mqtt', host: '0.0.0.0', port: 1883, realm: 'home', payload: 'raw', maxPacketSize: 65536, inflightWindow: 10, maxQueuedMessages: 0 },
      { type: 'mqtt', host: '0.0.0.0', port: 1884, realm: 'home' },
    ]);
    expect(
      problemsOf(`
listen:
  - { type: mqtt, payload: xml, max_packet_size: 10, inflight_window: 0, max_queued_messages: -1 }
realms: [ { name: home } ]
`),
    ).toEqual([
      expect.stringMatching(/^r\.yaml:3: listen\[0\]\.payload: .*json.*raw/),
      'r.yaml:3: listen[0].max_packet_size: expected an integer from 64 to 268435460, got 10',
      'r.yaml:3: listen[0].inflight_window: expected an integer from 1 to 65535, got 0',
      'r.yaml:3: listen[0].max_queued_messages: expected an integer of at least 0, got -1',
    ]);
  });

  it('reads ui and web_root of universal and websocket listeners, web_root relative to the config file', () => {
    const config = configOf(`
listen:
  - { type: universal, web_root: ui/build }
  - { type: websocket, port: 9000, ui: false }
  - { type: websocket, port: 9001, ui: true, web_root: /srv/ui }
realms: [ { name: home } ]
`);
    expect(config.listen).toEqual([
      { type: 'universal', host: '0.0.0.0', port: 8080, webRoot: '/etc/switchyard/ui/build' },
      { type: 'websocket', host: '0.0.0.0', port: 9000, path: '/ws', ui: false },
      { type: 'websocket', host: '0.0.0.0', port: 9001, path: '/ws', webRoot: '/srv/ui' },
    ]);
    expect(config.listen[0]).not.toHaveProperty('ui');
  });

  it('reports a wrong ui or web_root, and both on a listener without HTTP', () => {
    expect(
      problemsOf(`
listen:
  - { type: universal, ui: "no", web_root: "" }
  - { type: rawsocket, ui: false }
  - { type: mqtt, web_root: web }
realms: [ { name: home } ]
`),
    ).toEqual([
      'r.yaml:3: listen[0].ui: expected true or false, got a string',
      'r.yaml:3: listen[0].web_root: expected a non-empty string',
      'r.yaml:4: listen[1].ui: unknown key (expected one of: type, host, port, path, tls, mode, group)',
      'r.yaml:5: listen[2].web_root: unknown key (expected one of: type, host, port, realm, tls, payload, max_packet_size, inflight_window, max_queued_messages)',
    ]);
  });

  it('reports every problem of a file at once, each at its line', () => {
    expect(parseRouterConfig(fixture('router-bad.yaml'), 'router-bad.yaml', {}).problems.map(formatProblem)).toEqual([
      'router-bad.yaml:2: listen[0].port: expected an integer from 0 to 65535, got 80800',
      "router-bad.yaml:3: listen[1].type: expected one of universal, websocket, rawsocket, mqtt, got 'telnet'",
      "router-bad.yaml:4: listen[2].realm: realm 'garage' is not defined in realms",
      'router-bad.yaml:5: listen[3].colour: unknown key (expected one of: type, host, port, path, tls, mode, group)',
      'router-bad.yaml:6: listen[4].port: port 8081 is already used by listen[3]',
      "router-bad.yaml:9: realms[0].anonymous.role: role 'guest' is not defined in roles",
      'router-bad.yaml:11: realms[0].users[0].ticket: missing required key (or ticket_file)',
      "router-bad.yaml:12: realms[0].users[1].role: role 'admin' is not defined in roles",
      'router-bad.yaml:13: realms[0].users[2].pubkey: expected 64 hex characters (an Ed25519 public key)',
      "router-bad.yaml:14: realms[0].users[3].method: expected one of ticket, wampcra, cryptosign, got 'password'",
      "router-bad.yaml:16: realms[0].roles.user[0].allow[1]: expected one of call, register, publish, subscribe, got 'destroy'",
      "router-bad.yaml:17: realms[1].name: duplicate realm 'home' (first defined at line 8)",
      'router-bad.yaml:18: limits.max_message_size: expected an integer of at least 1, got -1',
      'router-bad.yaml:18: limits.max_sesions: unknown key (expected one of: max_message_size, max_sessions, max_queue_bytes)',
      "router-bad.yaml:19: log_level: expected one of debug, info, warn, error, got 'verbose'",
    ]);
  });

  it('returns no config when there is a problem', () => {
    expect(parseRouterConfig(fixture('router-bad.yaml'), 'router-bad.yaml', {}).config).toBeUndefined();
  });

  it('never puts a secret value into a problem', () => {
    const text = `
realms:
  - name: home
    users:
      - { authid: a, method: ticket, ticket: hunter2, ticket_file: /x, role: user }
      - { authid: b, method: wampcra, secret: [hunter3], role: user }
      - { authid: c, method: ticket, ticket: 4711, role: user }
      - { authid: d, method: wampcra, secret: { pw: hunter4 }, salt: [hunter5], role: user }
      - { authid: e, method: ticket, ticket: "\${TOKEN}", role: user }
      - { authid: f, method: ticket, ticket: true, role: user }
      - { authid: g, method: cryptosign, pubkey: hunter6, role: user }
      - { authid: h, method: ticket, ticket: hunter7, role: nobody, colour: hunter8 }
      - hunter9
    roles: { user: [] }
`;
    const read: string[] = [];
    const problems = problemsOf(text, { TOKEN: '31337' }, (path) => (read.push(path), 'hunter10')).join('\n');
    expect(problems.split('\n')).toEqual([
      'r.yaml:5: realms[0].users[0].ticket_file: give either ticket or ticket_file, not both',
      'r.yaml:6: realms[0].users[1].secret: expected a single value, got a list',
      'r.yaml:7: realms[0].users[2].ticket: expected a string, got a number (quote it)',
      'r.yaml:8: realms[0].users[3].secret: expected a single value, got a mapping',
      'r.yaml:8: realms[0].users[3].salt: expected a single value, got a list',
      'r.yaml:9: realms[0].users[4].ticket: expected a string, got a number (quote it)',
      'r.yaml:10: realms[0].users[5].ticket: expected a string, got a boolean (quote it)',
      'r.yaml:11: realms[0].users[6].pubkey: expected 64 hex characters (an Ed25519 public key)',
      'r.yaml:12: realms[0].users[7].colour: unknown key (expected one of: authid, method, role, ticket, ticket_file)',
      "r.yaml:12: realms[0].users[7].role: role 'nobody' is not defined in roles",
      'r.yaml:13: realms[0].users[8]: expected a mapping, got a string',
    ]);
    expect(problems).not.toMatch(/hunter|4711|31337/);
    expect(read).toEqual([]);
  });

  it('reports a YAML syntax error with its line', () => {
    expect(parseRouterConfig(fixture('router-syntax.yaml'), 'router-syntax.yaml', {}).problems.map(formatProblem)).toEqual([
      'router-syntax.yaml:5: (yaml): Sequence item without - indicator',
    ]);
  });

  it('reports a duplicate key as a YAML error', () => {
    expect(problemsOf('realms: [ { name: home } ]\nrealms: []\n')).toEqual(['r.yaml:2: (yaml): Map keys must be unique']);
  });

  it('reads an empty file as an empty mapping, and reports a document that is not a mapping', () => {
    expect(problemsOf('')).toEqual(['r.yaml:1: realms: missing required key']);
    expect(problemsOf('# nothing yet\n')).toEqual(['r.yaml:1: realms: missing required key']);
    expect(problemsOf('\n\n- home\n')).toEqual(['r.yaml:3: (root): expected a mapping, got a list']);
  });

  it('requires realms, and at least one realm and one listener', () => {
    expect(problemsOf('log_level: info\n')).toEqual(['r.yaml:1: realms: missing required key']);
    expect(problemsOf('listen: []\nrealms: []\n')).toEqual([
      'r.yaml:1: listen: expected at least one listener',
      'r.yaml:2: realms: expected at least one realm',
    ]);
  });

  it('reports wrong types with the type found', () => {
    const text = `
listen:
  - { type: universal, port: "8080", host: 1 }
realms:
  - name: home
    strict_uris: yes
    users: { alice: x }
    anonymous: public
`;
    expect(problemsOf(text)).toEqual([
      'r.yaml:3: listen[0].host: expected a string, got a number (quote it)',
      'r.yaml:3: listen[0].port: expected an integer from 0 to 65535, got a string',
      'r.yaml:6: realms[0].strict_uris: expected true or false, got a string',
      'r.yaml:7: realms[0].users: expected a list, got a mapping',
      'r.yaml:8: realms[0].anonymous: expected a mapping, got a string',
    ]);
  });

  it('checks listener combinations', () => {
    const text = `
listen:
  - { type: rawsocket, path: /run/s.sock, port: 1 }
  - { type: rawsocket, path: /run/s.sock }
  - { type: mqtt }
  - { type: websocket, path: ws }
  - { type: universal, port: 0 }
  - { type: rawsocket, port: 0 }
  - { type: universal, host: 127.0.0.1, port: 9000 }
  - { type: rawsocket, host: 127.0.0.2, port: 9000 }
realms: [ { name: lab } ]
`;
    expect(problemsOf(text)).toEqual([
      'r.yaml:3: listen[0].port: a Unix socket listener (with path) takes no host, port or tls',
      'r.yaml:4: listen[1].path: path /run/s.sock is already used by listen[0]',
      "r.yaml:5: listen[2].realm: realm 'home' (the default) is not defined in realms",
      'r.yaml:6: listen[3].path: expected an HTTP path such as /ws',
    ]);
  });

  it('checks users: duplicates, missing keys, wampcra options', () => {
    const text = `
realms:
  - name: home
    users:
      - { authid: alice, method: ticket, ticket: t, role: user }
      - { authid: alice, method: wampcra, secret: s, role: user }
      - { authid: alice, method: ticket, ticket: t2, role: user }
      - { method: cryptosign }
      - { authid: dave, method: wampcra, secret: s, iterations: 10, role: user, pubkey: ab }
`;
    expect(problemsOf(text)).toEqual([
      "r.yaml:7: realms[0].users[2].authid: duplicate ticket user 'alice' (first defined at line 5)",
      'r.yaml:8: realms[0].users[3].authid: missing required key',
      'r.yaml:8: realms[0].users[3].role: missing required key',
      'r.yaml:8: realms[0].users[3].pubkey: missing required key',
      'r.yaml:9: realms[0].users[4].pubkey: unknown key (expected one of: authid, method, role, secret, secret_file, salt, iterations, keylen)',
      'r.yaml:9: realms[0].users[4].iterations: only used together with salt',
    ]);
  });

  it('checks role rules against the match policy and the realm URI mode', () => {
    const text = `
realms:
  - name: "my realm"
  - name: home
    strict_uris: true
    roles:
      user:
        - { uri: com.Example, allow: [call] }
        - { uri: a..b, match: exact, allow: [call] }
        - { uri: a..b, match: wildcard, allow: [call] }
        - { uri: x, match: regex, allow: [call] }
        - { uri: y, allow: call }
        - { allow: [] }
`;
    expect(problemsOf(text)).toEqual([
      'r.yaml:3: realms[0].name: expected a realm name such as home or com.example.home (no spaces, # or empty parts)',
      "r.yaml:8: realms[1].roles.user[0].uri: 'com.Example' is not a valid strict exact URI",
      "r.yaml:9: realms[1].roles.user[1].uri: 'a..b' is not a valid strict exact URI",
      "r.yaml:11: realms[1].roles.user[3].match: expected one of exact, prefix, wildcard, got 'regex'",
      'r.yaml:12: realms[1].roles.user[4].allow: expected a list, got a string',
      'r.yaml:13: realms[1].roles.user[5].uri: missing required key',
    ]);
  });

  it('quotes role names that are not plain words in key paths', () => {
    const text = 'realms:\n  - name: home\n    roles:\n      "power.user": [ { uri: a, allow: [fly] } ]\n';
    expect(problemsOf(text)).toEqual([
      `r.yaml:4: realms[0].roles["power.user"][0].allow[0]: expected one of call, register, publish, subscribe, got 'fly'`,
    ]);
  });

  it('follows YAML anchors and aliases', () => {
    const config = configOf(`
realms:
  - name: home
    roles:
      user: &all [ { uri: "", match: prefix, allow: [call] } ]
      admin: *all
`);
    expect(config.realms[0]!.roles!.admin).toEqual([{ uri: '', match: 'prefix', allow: ['call'] }]);
  });

  describe('secrets', () => {
    it('reads ticket_file and secret_file relative to the config file, without the trailing newline', () => {
      const path = join(FIXTURES, 'router-secrets.yaml');
      const config = loadRouterConfig(path, { CAROL_TICKET: 'from-env' });
      expect(config.realms[0]!.users).toEqual([
        { authid: 'alice', method: 'ticket', ticket: 'alice-ticket', role: 'user' },
        { authid: 'bob', method: 'wampcra', secret: 'bob-secret', role: 'user' },
        { authid: 'carol', method: 'ticket', ticket: 'from-env', role: 'user' },
      ]);
    });

    it('passes absolute paths and paths relative to the config directory to readFile', () => {
      const read: string[] = [];
      const readFile = (path: string): string => {
        read.push(path);
        return 'tok\n\n';
      };
      const text = `
realms:
  - name: home
    users:
      - { authid: a, method: ticket, ticket_file: /run/credentials/a, role: user }
      - { authid: b, method: ticket, ticket_file: "\${CREDENTIALS_DIRECTORY}/b", role: user }
      - { authid: c, method: ticket, ticket_file: c.txt, role: user }
`;
      const config = configOf(text, { CREDENTIALS_DIRECTORY: '/run/creds' }, readFile);
      expect(read).toEqual(['/run/credentials/a', '/run/creds/b', '/etc/switchyard/c.txt']);
      expect(config.realms[0]!.users.map((u) => (u.method === 'ticket' ? u.ticket : ''))).toEqual(['tok', 'tok', 'tok']);
    });

    it('reports a secret file that cannot be read or is empty', () => {
      const readFile = (path: string): string => {
        if (path.endsWith('empty')) return '\n';
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
      };
      const text = `
realms:
  - name: home
    users:
      - { authid: a, method: ticket, ticket_file: /missing, role: user }
      - { authid: b, method: wampcra, secret_file: /empty, role: user }
`;
      expect(problemsOf(text, {}, readFile)).toEqual([
        'r.yaml:5: realms[0].users[0].ticket_file: cannot read /missing: no such file',
        'r.yaml:6: realms[0].users[1].secret_file: /empty is empty',
      ]);
    });

    it('expands ${VAR} in any string value and in integers', () => {
      const config = configOf(
        'listen: [ { type: rawsocket, host: "${HOST}", port: "${PORT}" } ]\nrealms: [ { name: "${REALM}-x" } ]\n',
        { HOST: '10.0.0.1', PORT: '9001', REALM: 'home' },
      );
      expect(config.listen).toEqual([{ type: 'rawsocket', host: '10.0.0.1', port: 9001 }]);
      expect(config.realms[0]!.name).toBe('home-x');
    });

    it('takes numbers and booleans from the environment, unquoted or quoted whole', () => {
      const text = 'listen:\n  - type: universal\n    port: ${PORT}\nrealms:\n  - name: home\n    strict_uris: ${STRICT}\nlimits: { max_sessions: "${MAX}" }\n';
      const config = configOf(text, { PORT: '9002', STRICT: 'true', MAX: '7' });
      expect(config.listen).toEqual([{ type: 'universal', host: '0.0.0.0', port: 9002 }]);
      expect(config.realms[0]!.strictUris).toBe(true);
      expect(config.limits.maxSessions).toBe(7);
      expect(problemsOf(text, { PORT: 'http', STRICT: 'yes', MAX: '0' })).toEqual([
        'r.yaml:3: listen[0].port: expected an integer from 0 to 65535, got a string',
        'r.yaml:6: realms[0].strict_uris: expected true or false, got a string',
        'r.yaml:7: limits.max_sessions: expected an integer of at least 1, got 0',
      ]);
    });

    it('reports an unset or malformed variable reference without the value', () => {
      const text = `
realms:
  - name: home
    users:
      - { authid: a, method: ticket, ticket: "\${NOPE}", role: user }
      - { authid: b, method: ticket, ticket: "pre\${A}\${B}", role: user }
      - { authid: c, method: ticket, ticket: "s3cr\${et", role: user }
      - { authid: d, method: ticket, ticket_file: "\${NOPE}/d", role: user }
`;
      const read: string[] = [];
      const problems = problemsOf(text, { A: 'x' }, (path) => (read.push(path), 'tok'));
      expect(problems).toEqual([
        'r.yaml:5: realms[0].users[0].ticket: environment variable NOPE is not set',
        'r.yaml:6: realms[0].users[1].ticket: environment variable B is not set',
        'r.yaml:7: realms[0].users[2].ticket: malformed ${...} reference (expected ${NAME} with NAME of letters, digits and _)',
        'r.yaml:8: realms[0].users[3].ticket_file: environment variable NOPE is not set',
      ]);
      expect(read).toEqual([]);
      expect(problems.join('\n')).not.toContain('s3cr');
    });
  });

  describe('loadRouterConfig', () => {
    it('throws a ConfigError listing every problem, one per line', () => {
      const path = join(FIXTURES, 'router-bad.yaml');
      let error: unknown;
      try {
        loadRouterConfig(path, {});
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const configError = error as ConfigError;
      expect(configError.code).toBe('SWITCHYARD_CONFIG_INVALID');
      expect(configError.problems).toHaveLength(15);
      expect(configError.message.split('\n')).toHaveLength(15);
      expect(configError.message.split('\n')[0]).toBe(`${path}:2: listen[0].port: expected an integer from 0 to 65535, got 80800`);
    });

    it('throws a ConfigError naming a file that cannot be read', () => {
      expect(() => loadRouterConfig(join(FIXTURES, 'nope.yaml'))).toThrow(
        new ConfigError(`cannot read router config ${join(FIXTURES, 'nope.yaml')}: no such file`),
      );
    });
  });

  describe('defaultRouterConfig', () => {
    it('listens on 127.0.0.1 only with realm home open to anonymous sessions', () => {
      expect(defaultRouterConfig()).toEqual({
        listen: [
          { type: 'universal', host: '127.0.0.1', port: 8080 },
          { type: 'rawsocket', host: '127.0.0.1', port: 8081 },
        ],
        realms: [{ name: 'home', anonymous: { role: 'anonymous' }, users: [], strictUris: false }],
        limits: { maxMessageSize: 16777215, maxSessions: 1000, maxQueueBytes: 16777216 },
        logLevel: 'info',
      });
    });

    it('returns a fresh object each time', () => {
      const a = defaultRouterConfig();
      a.limits.maxSessions = 1;
      a.realms[0]!.users.push({ authid: 'x', method: 'ticket', ticket: 't', role: 'r' });
      expect(defaultRouterConfig().limits.maxSessions).toBe(1000);
      expect(defaultRouterConfig().realms[0]!.users).toEqual([]);
    });
  });

  describe('parseLocalRouterConfig', () => {
    const noFiles = (path: string): string => {
      throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    };
    const localProblems = (text: string, realm = 'home', env: Record<string, string> = {}): string[] =>
      parseLocalRouterConfig(text, 'd.yaml', env, noFiles, realm).problems.map(formatProblem);

    it('keys problems under local_router, each at its line in the device config', () => {
      const text = `device: porch
local_router:
  listen:
    - { type: mqtt, port: -5 }
    - { type: rawsocket, colour: red }
    - { type: universal, port: 9000 }
    - { type: websocket, port: 9000 }
  limits: { max_sessions: 0 }
  log_levle: debug
`;
      expect(localProblems(text)).toEqual([
        'd.yaml:4: local_router.listen[0].port: expected an integer from 0 to 65535, got -5',
        'd.yaml:5: local_router.listen[1].colour: unknown key (expected one of: type, host, port, path, tls, mode, group)',
        'd.yaml:7: local_router.listen[3].port: port 9000 is already used by local_router.listen[2]',
        'd.yaml:8: local_router.limits.max_sessions: expected an integer of at least 1, got 0',
        'd.yaml:9: local_router.log_levle: unknown key (expected one of: listen, realms, limits, log_level)',
      ]);
    });

    it('means the device realm, open to anonymous sessions, when realms is omitted', () => {
      const { config, problems } = parseLocalRouterConfig('device: porch\nlocal_router: {}\n', 'd.yaml', {}, noFiles, 'garden');
      expect(problems).toEqual([]);
      expect(config).toEqual({
        listen: [
          { type: 'universal', host: '127.0.0.1', port: 8080 },
          { type: 'rawsocket', host: '127.0.0.1', port: 8081 },
        ],
        realms: [{ name: 'garden', anonymous: { role: 'anonymous' }, users: [], strictUris: false }],
        limits: { ...DEFAULT_LIMITS },
        logLevel: 'info',
      });
      expect(localProblems('device: porch\nlocal_router:\n  listen: [ { type: mqtt } ]\n', 'garden')).toEqual([
        "d.yaml:3: local_router.listen[0].realm: realm 'home' (the default) is not defined in realms",
      ]);
    });

    it("reports realms that leave out the device's realm, and checks them like a router config", () => {
      const text = `device: porch
local_router:
  realms:
    - name: lab
    - name: lab
      anonymous: { role: guest }
      roles: { user: [] }
`;
      expect(localProblems(text)).toEqual([
        "d.yaml:4: local_router.realms: the device's realm 'home' is not among these realms",
        "d.yaml:5: local_router.realms[1].name: duplicate realm 'lab' (first defined at line 4)",
        "d.yaml:6: local_router.realms[1].anonymous.role: role 'guest' is not defined in roles",
      ]);
    });

    it('reads secret files relative to the device config, and expands ${NAME} only in the block', () => {
      const read: string[] = [];
      const text = `device: porch
upstream: "\${ELSEWHERE}"
local_router:
  realms:
    - name: home
      users:
        - { authid: a, method: ticket, ticket_file: a.ticket, role: user }
        - { authid: b, method: ticket, ticket: "\${B}", role: user }
        - { authid: c, method: ticket, ticket_file: /missing, role: user }
`;
      const readFile = (path: string): string => {
        read.push(path);
        return path === '/etc/switchyard/a.ticket' ? 'from-file\n' : noFiles(path);
      };
      const parse = (t: string) => parseLocalRouterConfig(t, '/etc/switchyard/device.yaml', { B: 'bee' }, readFile, 'home');
      expect(parse(text).problems.map(formatProblem)).toEqual([
        '/etc/switchyard/device.yaml:9: local_router.realms[0].users[2].ticket_file: cannot read /missing: no such file',
      ]);
      const { config } = parse(text.replace(/ *- \{ authid: c.*\n/, ''));
      expect(config!.realms[0]!.users).toEqual([
        { authid: 'a', method: 'ticket', ticket: 'from-file', role: 'user' },
        { authid: 'b', method: 'ticket', ticket: 'bee', role: 'user' },
      ]);
      expect(read).toEqual(['/etc/switchyard/a.ticket', '/missing', '/etc/switchyard/a.ticket']);
    });

    it('reports a block that is not a mapping', () => {
      expect(localProblems('device: porch\nlocal_router:\n  - home\n')).toEqual(['d.yaml:3: local_router: expected a mapping, got a list']);
    });
  });

  describe('local_router in a device config', () => {
    it("is read with the device's realm and reported with the device config's problems", () => {
      const text = 'device: porch\nrealm: garden\nlocal_router:\n  listen:\n    - { type: rawsocket, port: 70000 }\n';
      expect(parseFullDeviceConfig(text, 'd.yaml', {}, () => '').problems.map(formatProblem)).toEqual([
        'd.yaml:5: local_router.listen[0].port: expected an integer from 0 to 65535, got 70000',
      ]);
      const { config } = parseFullDeviceConfig(text.replace('70000', '0'), 'd.yaml', {}, () => '');
      expect(config!.local_router!.realms.map((realm) => realm.name)).toEqual(['garden']);
      expect(config!.local_router!.listen).toEqual([{ type: 'rawsocket', host: '0.0.0.0', port: 0 }]);
      const without = parseFullDeviceConfig('device: porch\nlocal_router:\n  realms: [ { name: lab } ]\n', 'd.yaml', {}, () => '');
      expect(without.problems.map(formatProblem)).toEqual(["d.yaml:3: local_router.realms: the device's realm 'home' is not among these realms"]);
    });
  });

  describe('routerConfigSchema', () => {
    /** Property paths of a JSON Schema whose schema has no description. */
    function undescribed(node: unknown, at: string): string[] {
      if (node === null || typeof node !== 'object') return [];
      const out: string[] = [];
      const properties = (node as { properties?: Record<string, { description?: unknown }> }).properties ?? {};
      for (const [key, property] of Object.entries(properties)) if (typeof property.description !== 'string') out.push(`${at}.${key}`);
      for (const [key, child] of Object.entries(node)) if (key !== 'default') out.push(...undescribed(child, `${at}/${key}`));
      return out;
    }

    it('describes every field, for the JSON Schema and the configuration reference', () => {
      const schema = z.toJSONSchema(routerConfigSchema, { io: 'input' });
      expect(JSON.stringify(schema)).toContain('"description"');
      expect(undescribed(schema, '')).toEqual([]);
      expect(undescribed(z.toJSONSchema(localRouterConfigSchema('home'), { io: 'input' }), '')).toEqual([]);
    });
  });
});
