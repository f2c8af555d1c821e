import { describe, expect, it } from 'vitest';
import { InvalidUrlError, parseUrl } from '../../src/client/url.js';

describe('parseUrl', () => {
  it.each([
    ['rs://127.0.0.1:8081', { kind: 'rawsocket', tls: false, host: '127.0.0.1', port: 8081, url: 'rs://127.0.0.1:8081' }],
    ['rs://hub.lan', { kind: 'rawsocket', tls: false, host: 'hub.lan', port: 8081, url: 'rs://hub.lan:8081' }],
    ['rs://Hub.LAN:9000/', { kind: 'rawsocket', tls: false, host: 'hub.lan', port: 9000, url: 'rs://hub.lan:9000' }],
    ['rs://[::1]:8081', { kind: 'rawsocket', tls: false, host: '::1', port: 8081, url: 'rs://[::1]:8081' }],
    ['rss://hub.lan:8443', { kind: 'rawsocket', tls: true, host: 'hub.lan', port: 8443, url: 'rss://hub.lan:8443' }],
    ['rss://hub.lan', { kind: 'rawsocket', tls: true, host: 'hub.lan', port: 8443, url: 'rss://hub.lan:8443' }],
    ['unix:///run/switchyard/router.sock', { kind: 'rawsocket', tls: false, socketPath: '/run/switchyard/router.sock', url: 'unix:///run/switchyard/router.sock' }],
    ['unix:/tmp/a%20b.sock', { kind: 'rawsocket', tls: false, socketPath: '/tmp/a b.sock', url: 'unix:///tmp/a b.sock' }],
    ['ws://127.0.0.1:8080/ws', { kind: 'websocket', tls: false, host: '127.0.0.1', port: 8080, path: '/ws', url: 'ws://127.0.0.1:8080/ws' }],
    ['ws://hub.lan', { kind: 'websocket', tls: false, host: 'hub.lan', port: 80, path: '/', url: 'ws://hub.lan:80/' }],
    ['wss://hub.lan/ws?token=1', { kind: 'websocket', tls: true, host: 'hub.lan', port: 443, path: '/ws?token=1', url: 'wss://hub.lan:443/ws?token=1' }],
    ['wss://[::1]:9443/wamp', { kind: 'websocket', tls: true, host: '::1', port: 9443, path: '/wamp', url: 'wss://[::1]:9443/wamp' }],
    ['  rs://h:1  ', { kind: 'rawsocket', tls: false, host: 'h', port: 1, url: 'rs://h:1' }],
  ])('parses %s', (text, expected) => {
    expect(parseUrl(text)).toEqual(expected);
  });

  it.each([
    ['', /empty URL/],
    ['hub.lan:8081', /no scheme: write rs:\/\/hub.lan:8081 \(RawSocket\) or ws:\/\/hub.lan:8081\/ws/],
    ['127.0.0.1:8081', /no scheme: write rs:\/\/127.0.0.1:8081/],
    ['http://hub.lan/ws', /unsupported scheme "http:" \(expected rs:\/\/, rss:\/\/, unix:\/\/, ws:\/\/ or wss:\/\/\)/],
    ['tcp://hub.lan:8081', /unsupported scheme "tcp:"/],
    ['rs://:8081', /no host|not a URL/],
    ['rs:hub.lan:8081', /no host/],
    ['rs://hub.lan:0', /port 0 is out of range/],
    ['rs://hub.lan:70000', /port 70000 is out of range/],
    ['rs://hub.lan:8081/ws', /RawSocket has no path/],
    ['rs://hub.lan:8081?x=1', /RawSocket URLs take no query/],
    ['rs://alice:secret@hub.lan:8081', /credentials in the URL are not supported/],
    ['ws://hub.lan/ws#top', /fragment/],
    ['unix://hub.lan/run/r.sock', /has no host \(got "hub.lan"\)/],
    ['unix:relative.sock', /must be absolute/],
    ['unix:///', /must be absolute/],
    ['unix:///run/', /names a directory/],
    ['unix:///run/r.sock?x=1', /takes no query/],
  ])('rejects %j with a clear message', (text, message) => {
    let error: unknown;
    try {
      parseUrl(text);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidUrlError);
    expect((error as InvalidUrlError).code).toBe('INVALID_URL');
    expect((error as InvalidUrlError).url).toBe(text);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(`invalid router URL ${JSON.stringify(text)}`);
  });
});
