import net from 'node:net';
import tls from 'node:tls';
import type { MqttListener, MqttListenerFactory, MqttListenOptions } from '../router/serve.js';
import { bindServer, boundAddress, closeServer, ConnectionTracker } from '../transport/listener.js';
import { MqttConnection } from './connection.js';
import { MqttGateway } from './gateway.js';

/**
 * Binds an MQTT listener (TCP, or TLS with `options.tls`) bridging MQTT clients into
 * `options.realm` of `options.router`. Its `accept` takes connections that a universal listener
 * recognised as MQTT. This is the factory `startRouter` is given (ServeOptions.mqtt).
 */
export const listenMqtt: MqttListenerFactory = async (target, options) => {
  const gateway = new MqttGateway({
    router: options.router,
    realm: options.realm,
    payload: options.payload,
    maxPacketSize: options.maxPacketSize,
    ...(options.inflightWindow !== undefined ? { inflightWindow: options.inflightWindow } : {}),
    ...(options.maxQueuedMessages !== undefined ? { maxQueuedMessages: options.maxQueuedMessages } : {}),
    maxConnections: options.maxConnections,
    ...(options.handshakeTimeoutMs !== undefined ? { handshakeTimeoutMs: options.handshakeTimeoutMs } : {}),
    tls: options.tls !== undefined,
    logger: options.logger,
  });
  return bindMqtt(target, options, gateway);
};

async function bindMqtt(target: { host: string; port: number }, options: MqttListenOptions, gateway: MqttGateway): Promise<MqttListener> {
  const tracker = new ConnectionTracker();
  const accept = (socket: net.Socket, head?: Buffer): void => {
    if (!gateway.limiter.tryAcquire()) {
      gateway.logger.warn('MQTT connection refused: too many connections', { max: gateway.limiter.max });
      socket.destroy();
      return;
    }
    socket.once('close', () => gateway.limiter.release());
    new MqttConnection(socket, gateway, head);
  };
  let server: net.Server;
  if (options.tls === undefined) {
    server = net.createServer((socket) => accept(socket));
  } else {
    server = tls.createServer(options.tls, (socket) => {
      tracker.add(socket);
      accept(socket);
    });
    server.on('tlsClientError', (error) => gateway.logger.debug('MQTT TLS handshake failed', { error: error.message }));
  }
  server.on('connection', (socket: net.Socket) => tracker.add(socket));
  await bindServer(server, target);
  server.on('error', (error) => gateway.logger.error('MQTT listener error', { error: error.message }));
  return {
    address: () => boundAddress(server, target),
    close: () => closeServer(server, tracker, target),
    accept(socket, head) {
      tracker.add(socket);
      accept(socket, head);
    },
  };
}
