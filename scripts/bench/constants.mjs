/** Names shared by the bench's router, load clients and Mosquitto. */
export const REALM = 'bench';
export const PROCEDURE = 'bench.echo';
export const TOPIC = 'bench.fanout';
export const MQTT_TOPIC = 'bench/fanout';

/** A payload of `size` ASCII bytes (same length in CBOR, JSON and MQTT, apart from framing). */
export function payloadString(size) {
  return 'x'.repeat(size);
}
