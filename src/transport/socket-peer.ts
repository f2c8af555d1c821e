import type { Socket } from 'node:net';

/**
 * The `peer` string of TransportInfo: `tcp4:127.0.0.1:53211`, `tcp6:[::1]:53211`, or
 * `unix:/path` (a Unix socket has no remote address; `unixPath` names the listening/dialled path).
 */
export function describePeer(socket: Socket, unixPath?: string): string {
  const address = socket.remoteAddress;
  if (address === undefined) return unixPath === undefined ? 'unix' : `unix:${unixPath}`;
  const port = socket.remotePort ?? 0;
  // An IPv4 client of a dual-stack (::) listener shows up as ::ffff:a.b.c.d.
  if (address.startsWith('::ffff:') && address.includes('.')) return `tcp4:${address.slice(7)}:${port}`;
  return socket.remoteFamily === 'IPv6' ? `tcp6:[${address}]:${port}` : `tcp4:${address}:${port}`;
}
