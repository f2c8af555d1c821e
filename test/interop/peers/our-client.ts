import type { SerializerName } from '../../../src/protocol/serializers/serializer.js';
import type { TestRouter } from '../../helpers/start-router.js';

/** How our client reaches the router in one variant of an interop suite. */
export interface OurClient {
  label: string;
  /** URI segment that keeps each variant's procedures and topics apart. */
  id: string;
  url(router: TestRouter): string;
  serializer: SerializerName;
}

/** RawSocket/CBOR is the device default; the WebSocket variants are what a browser UI uses. */
export const OUR_CLIENTS: OurClient[] = [
  { label: 'RawSocket/CBOR', id: 'rs_cbor', url: (r) => `rs://${r.host}:${r.rawsocketPort}`, serializer: 'cbor' },
  { label: 'WebSocket/JSON', id: 'ws_json', url: (r) => r.wsUrl, serializer: 'json' },
  { label: 'WebSocket/msgpack', id: 'ws_msgpack', url: (r) => r.wsUrl, serializer: 'msgpack' },
];
