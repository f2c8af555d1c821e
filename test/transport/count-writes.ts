import type net from 'node:net';

/** Records the number of chunks of each write the socket makes to the kernel from now on. */
export function countWrites(socket: net.Socket): number[] {
  const writes: number[] = [];
  const internals = socket as unknown as {
    _write(chunk: unknown, encoding: string, callback: () => void): void;
    _writev(chunks: unknown[], callback: () => void): void;
  };
  const write = internals._write.bind(socket);
  const writev = internals._writev.bind(socket);
  internals._write = (chunk, encoding, callback) => {
    writes.push(1);
    write(chunk, encoding, callback);
  };
  internals._writev = (chunks, callback) => {
    writes.push(chunks.length);
    writev(chunks, callback);
  };
  return writes;
}
