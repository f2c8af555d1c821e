/**
 * The command line was wrong (unknown flag, missing argument, bad flag value). `switchyard`
 * prints the message and `see 'switchyard CMD --help'` on stderr and exits 1.
 */
export class UsageError extends Error {
  readonly code = 'SWITCHYARD_USAGE';

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
