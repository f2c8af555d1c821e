import WebSocket from 'ws';

/**
 * The HTTP status with which the server at `url` refuses a WebSocket upgrade offering
 * `protocols`; rejects when the upgrade is accepted or unanswered within `timeoutMs`.
 */
export function refusedUpgradeStatus(url: string, protocols?: string[], timeoutMs = 2000): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('no answer to the upgrade'));
    }, timeoutMs);
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      ws.terminate();
      resolve(res.statusCode ?? 0);
    });
    ws.on('error', () => {});
    ws.on('open', () => {
      clearTimeout(timer);
      ws.terminate();
      reject(new Error('upgrade accepted'));
    });
  });
}
