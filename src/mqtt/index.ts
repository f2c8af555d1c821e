/**
 * The MQTT gateway of the router (docs/mqtt.md): MQTT 3.1.1 and 5.0 clients join a realm as
 * WAMP sessions. Wired into `startRouter` by injection (ServeOptions.mqtt = listenMqtt): the
 * router layer never imports this one.
 */
export { listenMqtt } from './listener.js';
export { MqttGateway, MQTT_DEFAULTS, type MqttGatewayOptions } from './gateway.js';
export { MqttConnection } from './connection.js';
export { payloadMapping, type PayloadMapping, type PayloadMode } from './payload.js';
export { parseFilter, topicToUri, uriToTopic, type FilterMapping } from './topics.js';
export * from './errors.js';
export { ReasonCode, type MqttVersion } from './reason-codes.js';
