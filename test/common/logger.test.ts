import { describe, expect, it } from 'vitest';
import { createLogger, SYSLOG_PRIORITY, type LoggerOptions } from '../../src/common/logger.js';

function logged(options: LoggerOptions = {}): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, logger: createLogger({ ...options, write: (line) => lines.push(line) }) };
}

describe('createLogger', () => {
  it('writes `level message key=value…`, plain, without a journal', () => {
    const { lines, logger } = logged({ level: 'debug' });
    logger.debug('d', { n: 1 });
    logger.info('device ready', { ms: 12, ok: true });
    logger.warn('w');
    logger.error('e', { list: [1, 2] });
    expect(lines).toEqual(['debug d n=1', 'info device ready ms=12 ok=true', 'warn w', 'error e list=[1,2]']);
  });

  it('prefixes each line with its syslog priority for journald: <3> error, <4> warn, <6> info, <7> debug', () => {
    const { lines, logger } = logged({ level: 'debug', journal: true });
    logger.debug('d');
    logger.info('i', { a: 'b' });
    logger.warn('w');
    logger.error('e');
    expect(lines).toEqual(['<7>debug d', '<6>info i a=b', '<4>warn w', '<3>error e']);
    expect(SYSLOG_PRIORITY).toEqual({ error: 3, warn: 4, info: 6, debug: 7 });
  });

  it('keeps the threshold, and child fields, in both formats', () => {
    for (const journal of [false, true]) {
      const { lines, logger } = logged({ level: 'warn', journal });
      const child = logger.child({ session: 'upstream' });
      child.info('dropped');
      child.warn('kept', { n: 2 });
      logger.error('plain');
      expect(lines).toEqual(journal ? ['<4>warn kept session=upstream n=2', '<3>error plain'] : ['warn kept session=upstream n=2', 'error plain']);
    }
    const { lines, logger } = logged({ level: 'silent', journal: true });
    logger.error('nothing');
    expect(lines).toEqual([]);
  });

  it('quotes values with spaces, quotes or =, skips undefined, and never throws on odd values', () => {
    const { lines, logger } = logged();
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    logger.info('f', { a: 'two words', b: 'x="y"', c: 'k=v', d: undefined, e: 'plain', f: null, g: 10n, h: cycle });
    expect(lines).toEqual(['info f a="two words" b="x=\\"y\\"" c="k=v" e=plain f=null g=10 h="[object Object]"']);
  });

  it('keeps one entry on one line: newlines in messages and fields are escaped', () => {
    const { lines, logger } = logged({ journal: true });
    logger.error('first\nsecond\r\nthird', { stack: 'Error: x\n    at y' });
    expect(lines).toEqual(['<3>error first\\nsecond\\r\\nthird stack="Error: x\\n    at y"']);
  });
});
