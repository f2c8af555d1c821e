import { constants } from 'node:fs';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import { DriverError, HardwareMissingError } from '../driver.js';
import { asError } from '../../client/errors.js';

/**
 * Small helpers for sysfs attribute files (one value per file, as text), shared by the pwm,
 * ds18b20, iio and system drivers. Every failure becomes a DriverError that names the path, so
 * the runtime's log line says which file refused; a caller that is opening hardware asks for
 * `missing: 'hardware'` so that "no such file" reads as HardwareMissingError instead.
 */

export interface AttributeOptions {
  /**
   * How a missing file (ENOENT) is reported. `error` (the default): a DriverError, as for a read
   * that fails later on (a sensor that went away is stale, not misconfigured). `hardware`: a
   * HardwareMissingError, for checks at open where a missing file means wrong config or no driver.
   */
  readonly missing?: 'error' | 'hardware';
}

/** The errno code of a failed fs call (`ENOENT`, `EIO`), or undefined. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function failure(action: string, path: string, error: unknown, options: AttributeOptions): DriverError {
  const code = errorCode(error);
  if (code === 'ENOENT' && options.missing === 'hardware') {
    return new HardwareMissingError(`${path} does not exist`, path, error);
  }
  const reason = code ?? asError(error).message;
  return new DriverError(`cannot ${action} ${path}: ${reason}`, { path, cause: error });
}

/** The content of an attribute file without surrounding whitespace (sysfs ends values with \n). */
export async function readAttribute(path: string, options: AttributeOptions = {}): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    throw failure('read', path, error, options);
  }
}

/** Parses an attribute's text as a finite number; garbage (or an empty file) is a DriverError naming the path. */
export function parseNumber(text: string, path: string): number {
  const value = text === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value)) {
    throw new DriverError(`${path}: expected a number, got ${JSON.stringify(text.slice(0, 40))}`, { path });
  }
  return value;
}

/** An attribute file read as a number. */
export async function readNumber(path: string, options: AttributeOptions = {}): Promise<number> {
  return parseNumber(await readAttribute(path, options), path);
}

/**
 * Writes an attribute. sysfs takes each write(2) as one value and refuses bad ones with EINVAL
 * (or EBUSY), which the DriverError reports together with the value that was refused.
 */
export async function writeAttribute(path: string, value: string | number, options: AttributeOptions = {}): Promise<void> {
  try {
    await writeFile(path, String(value));
  } catch (error) {
    const reported = failure('write', path, error, options);
    if (reported instanceof HardwareMissingError) throw reported;
    throw new DriverError(`${reported.message} (writing ${String(value)})`, { path, cause: error });
  }
}

/** Whether `path` exists (any kind of file); permission problems count as existing. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    return errorCode(error) !== 'ENOENT' && errorCode(error) !== 'ENOTDIR';
  }
}

/** Whether this process may write `path` now (udev fixes attribute permissions a moment after export). */
export async function isWritable(path: string): Promise<boolean> {
  try {
    await access(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Fails with HardwareMissingError naming `path` unless it exists; `what` says what it should be
 * ("PWM chip 0"), so the message reads "PWM chip 0 not found: /sys/class/pwm/pwmchip0 does not exist".
 */
export async function requirePath(path: string, what: string, hint?: string): Promise<void> {
  if (!(await pathExists(path))) throw new HardwareMissingError(`${what} not found: ${path} does not exist${hint !== undefined ? ` (${hint})` : ''}`, path);
}
