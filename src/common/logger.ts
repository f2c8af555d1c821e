/**
 * A small structured logger. Lines go to stderr as `level message key=value…`, one line per entry
 * (newlines in a message are escaped). With `journal: true` (stderr is the journal: the CLI decides
 * from JOURNAL_STREAM) each line starts with its syslog priority, `<3>` error, `<4>` warn, `<6>` info,
 * `<7>` debug, which journald strips and stores as PRIORITY. Never pass secrets as fields.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
/** The levels a config or `--log-level` may name, least severe first. */
export const CONFIG_LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type ConfigLogLevel = (typeof CONFIG_LOG_LEVELS)[number];
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface LoggerOptions {
  level?: LogLevel;
  write?: (line: string) => void;
  fields?: LogFields;
  /** Prefix each line with its syslog priority (`<6>info …`) for journald. */
  journal?: boolean;
}

/** syslog(3) priorities: what journald reads from a `<N>` prefix. */
export const SYSLOG_PRIORITY: Record<Exclude<LogLevel, 'silent'>, number> = { error: 3, warn: 4, info: 6, debug: 7 };

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const base = options.fields ?? {};
  const journal = options.journal === true;
  const emit = (level: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields) => {
    if (ORDER[level] < threshold) return;
    const prefix = journal ? `<${SYSLOG_PRIORITY[level]}>` : '';
    write(`${prefix}${level} ${oneLine(message)}${formatFields({ ...base, ...fields })}`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

/** A logger that drops everything (tests, embedded use). */
export const silentLogger: Logger = createLogger({ level: 'silent' });

function oneLine(message: string): string {
  return message.includes('\n') || message.includes('\r') ? message.replace(/\r/g, '\\r').replace(/\n/g, '\\n') : message;
}

function formatFields(fields: LogFields): string {
  let out = '';
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined) continue;
    const text = typeof value === 'string' ? value : stringify(value);
    out += ` ${key}=${/[\s"=]/.test(text) ? JSON.stringify(text) : text}`;
  }
  return out;
}

/** JSON for a field value; never throws (bigint, cycles) so a log call cannot fail. */
function stringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
