import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './usage-error.js';

/** A parseArgs options table (node:util does not export the type by name). */
export type OptionsTable = NonNullable<ParseArgsConfig['options']>;

/** Every command takes `-h`/`--help`. */
export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

type Parsed<O extends OptionsTable> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O & typeof HELP_OPTION; allowPositionals: true; strict: true }>
>;

/**
 * parseArgs in strict mode with positionals allowed and `--help` added; a malformed command line
 * throws UsageError with parseArgs's first sentence (e.g. "Unknown option '--colour'").
 */
export function parseCommandArgs<O extends OptionsTable>(argv: readonly string[], options: O): Parsed<O> {
  try {
    return parseArgs({ args: [...argv], options: { ...options, ...HELP_OPTION }, allowPositionals: true, strict: true });
  } catch (error) {
    if (isParseArgsError(error)) throw new UsageError(firstSentence(error.message));
    throw error;
  }
}

function isParseArgsError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

function firstSentence(message: string): string {
  const end = message.search(/\.(\s|$)/);
  return end === -1 ? message : message.slice(0, end);
}

/** Answers `--help`: the command's usage on stdout, exit code 0. */
export function printUsage(io: { stdout: { write(chunk: string): unknown } }, usage: string): 0 {
  io.stdout.write(usage);
  return 0;
}
