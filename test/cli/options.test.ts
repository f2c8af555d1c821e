import { describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../../src/cli/args.js';
import { CLIENT_OPTIONS, clientOptionsFrom } from '../../src/cli/options.js';
import { UsageError } from '../../src/cli/usage-error.js';

function parse(argv: string[]) {
  const { values } = parseCommandArgs(argv, CLIENT_OPTIONS);
  return clientOptionsFrom(values, '/home/pi');
}

describe('client options', () => {
  it('defaults to rs://127.0.0.1:8081, realm home, CBOR and anonymous', () => {
    expect(parse([])).toEqual({
      url: 'rs://127.0.0.1:8081',
      realm: 'home',
      serializer: 'cbor',
      auth: { method: 'anonymous' },
      tls: {},
    });
  });

  it('reads --ca relative to the cwd, and --insecure', () => {
    expect(parse(['--ca', 'hub.crt']).tls).toEqual({ caFile: '/home/pi/hub.crt' });
    expect(parse(['--insecure']).tls).toEqual({ insecure: true });
  });

  it('accepts every transport URL scheme and serializer', () => {
    for (const url of ['rs://hub:8081', 'rss://hub.lan:8443', 'unix:///run/switchyard/router.sock', 'ws://hub:8080/ws', 'wss://hub/ws']) {
      expect(parse(['--url', url]).url).toBe(url);
    }
    for (const serializer of ['json', 'cbor', 'msgpack']) expect(parse(['--serializer', serializer]).serializer).toBe(serializer);
    expect(parse(['--realm', 'com.example']).realm).toBe('com.example');
  });

  it('picks the auth method from the secret flag', () => {
    expect(parse(['--authid', 'alice', '--ticket', 't']).auth).toEqual({ method: 'ticket', authid: 'alice', ticket: 't' });
    expect(parse(['--authid', 'bob', '--secret', 's']).auth).toEqual({ method: 'wampcra', authid: 'bob', secret: 's' });
    expect(parse(['--key', 'keys/porch.key']).auth).toEqual({ method: 'cryptosign', keyFile: '/home/pi/keys/porch.key' });
    expect(parse(['--authid', 'porch', '--key', '/etc/k']).auth).toEqual({ method: 'cryptosign', authid: 'porch', keyFile: '/etc/k' });
    expect(parse(['--authid', 'x']).auth).toEqual({ method: 'anonymous', authid: 'x' });
  });

  it.each([
    [['--url', 'http://hub:8080'], '--url http://hub:8080: unsupported scheme "http:" (expected rs://, rss://, unix://, ws:// or wss://)'],
    [['--url', 'hub:8081'], '--url hub:8081: no scheme: write rs://hub:8081 (RawSocket) or ws://hub:8081/ws (WebSocket)'],
    [['--url', 'not a url'], '--url not a url: not a URL (expected rs://, rss://, unix://, ws:// or wss://)'],
    [['--url', 'unix://'], '--url unix://: the socket path must be absolute, e.g. unix:///run/switchyard/router.sock'],
    [['--url', 'rs://127.0.0.1:99999'], '--url rs://127.0.0.1:99999: port 99999 is out of range 1-65535'],
    [['--ca', ''], '--ca: expected a file name'],
    [['--ca', 'ca.pem', '--insecure'], 'give --ca or --insecure, not both'],
    [['--realm', 'my realm'], "--realm: 'my realm' is not a valid realm name"],
    [['--serializer', 'xml'], "--serializer: expected one of json, cbor, msgpack, got 'xml'"],
    [['--ticket', 'hunter2'], '--ticket needs --authid'],
    [['--authid', 'a', '--ticket', 'hunter2', '--secret', 'x'], 'give only one of --ticket, --secret, --key (got --ticket, --secret)'],
    [['--authid', 'a', '--secret', ''], '--secret: expected a non-empty value'],
  ])('rejects %j', (argv, message) => {
    expect(() => parse(argv)).toThrow(new UsageError(message));
    if (argv.includes('hunter2')) expect(message).not.toContain('hunter2');
  });
});
