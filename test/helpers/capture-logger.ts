import type { LogFields, Logger } from '../../src/common/logger.js';

export interface CapturedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: LogFields;
}

/** A Logger that keeps every line (children share the list and add their fields). */
export function captureLogger(lines: CapturedLine[] = [], base: LogFields = {}): Logger & { lines: CapturedLine[] } {
  const emit = (level: CapturedLine['level']) => (message: string, fields: LogFields = {}) => void lines.push({ level, message, fields: { ...base, ...fields } });
  return {
    lines,
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (fields) => captureLogger(lines, { ...base, ...fields }),
  };
}
