#!/usr/bin/env node
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../common/config-problem.js';
import { call } from './commands/call.js';
import { check } from './commands/check.js';
import { device } from './commands/device.js';
import { keygen } from './commands/keygen.js';
import { publish } from './commands/publish.js';
import { router } from './commands/router.js';
import { subscribe } from './commands/subscribe.js';
import { type CliIo, type Command, nodeIo } from './command.js';
import { UsageError } from './usage-error.js';

/**
 * The `switchyard` executable: argv → one of COMMANDS (MQTT.js src/bin/mqtt.ts). Exit codes:
 * 0 ok, 1 usage or config error (the message, then `see 'switchyard CMD --help'`), 2 runtime
 * failure (one line on stderr).
 */

/**
 * Every subcommand, in the order `switchyard --help` lists them. Each lives in its own file under
 * commands/ and exports a Command.
 */
export const COMMANDS: Command[] = [
  device,
  router,
  check,
  call,
  publish,
  subscribe,
  keygen,
];

const HELP_FLAGS = new Set(['-h', '--help', 'help']);
const VERSION_FLAGS = new Set(['-V', '--version']);

/** Runs one command line (without `node` and the script) and resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo, commands: readonly Command[] = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(usage(commands));
    return 1;
  }
  if (HELP_FLAGS.has(name)) return help(rest[0], io, commands);
  if (VERSION_FLAGS.has(name)) {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (command === undefined) {
    const what = name.startsWith('-') ? 'option' : 'command';
    io.stderr.write(`switchyard: unknown ${what} '${name}'\n${SEE_HELP}\n`);
    return 1;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`switchyard ${command.name}: ${error.message}\n${seeHelp(command.name)}\n`);
      return 1;
    }
    if (error instanceof ConfigError) {
      io.stderr.write(`${error.message}\n`);
      return 1;
    }
    io.stderr.write(`switchyard ${command.name}: ${oneLine(error)}\n`);
    return 2;
  }
}

/** `switchyard --help`: the command list. */
export function usage(commands: readonly Command[] = COMMANDS): string {
  const width = Math.max(...commands.map((command) => command.name.length), 0);
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}   ${command.summary}`);
  return `Usage: switchyard <command> [options]

Commands:
${lines.join('\n')}

Run "switchyard <command> --help" for the options of a command.
`;
}

/** What follows a usage error: where the full help is (the help itself would bury the message). */
const SEE_HELP = "see 'switchyard --help'";

export function seeHelp(command: string): string {
  return `see 'switchyard ${command} --help'`;
}

function help(topic: string | undefined, io: CliIo, commands: readonly Command[]): number {
  const command = commands.find((candidate) => candidate.name === topic);
  if (topic !== undefined && command === undefined) {
    io.stderr.write(`switchyard: unknown command '${topic}'\n${SEE_HELP}\n`);
    return 1;
  }
  io.stdout.write(command?.usage ?? usage(commands));
  return 0;
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim().replace(/\s*\n\s*/g, '; ') || (error instanceof Error ? error.name : 'failed');
}

function version(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Whether this module is the script node was started with (also through the npm bin symlink). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  process.exitCode = await main(process.argv.slice(2), nodeIo());
}
