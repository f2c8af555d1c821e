/** A WebSocket close reason may hold at most 123 octets of UTF-8 (RFC 6455 §5.5). */
const MAX_REASON_BYTES = 123;

/** Cuts `reason` to fit a WebSocket close frame. Browser-safe. */
export function closeReasonText(reason: string): string {
  if (reason.length <= MAX_REASON_BYTES / 3) return reason;
  const encoder = new TextEncoder();
  let text = reason;
  while (encoder.encode(text).length > MAX_REASON_BYTES) text = text.slice(0, -1);
  return text;
}

/** The close code sent by close(): 1000 normal closure. */
export const NORMAL_CLOSURE = 1000;
