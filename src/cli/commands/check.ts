import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isMap, parseDocument } from 'yaml';
import { type ConfigProblem, formatProblem } from '../../common/config-problem.js';
import { describeReadError } from '../../router/config/context.js';
import { parseRouterConfig } from '../../router/config.js';
import { parseFullDeviceConfig } from '../device-config.js';
import { parseCommandArgs, printUsage } from '../args.js';
import type { CliIo, Command } from '../command.js';
import { UsageError } from '../usage-error.js';

type Env = CliIo['env'];

/** One kind of config file `check` knows; the first whose `matches` accepts the text validates it. */
interface ConfigKind {
  readonly name: string;
  matches(text: string): boolean;
  validate(text: string, file: string, env: Env, readFile: (path: string) => string): ConfigProblem[];
}

const CONFIG_KINDS: readonly ConfigKind[] = [
  {
    name: 'device',
    matches: (text) => hasTopLevelKey(text, 'device'),
    validate: (text, file, env, readFile) => parseFullDeviceConfig(text, file, env, readFile).problems,
  },
  {
    name: 'router',
    matches: () => true,
    validate: (text, file, env, readFile) => parseRouterConfig(text, file, env, readFile).problems,
  },
];

const USAGE = `Usage: switchyard check CONFIG.yaml [CONFIG.yaml ...]

Validates a device config (one with a top-level "device:" key) or a router config,
including secret files and \${ENV_VAR} references. Prints "CONFIG.yaml: ok", or every
problem as "file:line: key: message" on stderr.

Exit status: 0 when every file is valid, 1 otherwise.

Options:
  -h, --help   show this help
`;

export const check: Command = {
  name: 'check',
  summary: 'validate a device or router config',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, {});
    if (values.help === true) return printUsage(io, USAGE);
    if (positionals.length === 0) throw new UsageError('missing CONFIG file');
    let status = 0;
    for (const file of positionals) if (!checkFile(file, io)) status = 1;
    return status;
  },
};

/** Checks one file and prints the verdict; true when it is valid. */
function checkFile(file: string, io: CliIo): boolean {
  const readFile = (path: string): string => readFileSync(resolve(io.cwd, path), 'utf8');
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    io.stderr.write(`${file}: cannot read: ${describeReadError(error)}\n`);
    return false;
  }
  const kind = CONFIG_KINDS.find((candidate) => candidate.matches(text))!;
  const problems = kind.validate(text, file, io.env, readFile);
  if (problems.length === 0) {
    io.stdout.write(`${file}: ok\n`);
    return true;
  }
  for (const problem of problems) io.stderr.write(`${formatProblem(problem)}\n`);
  return false;
}

function hasTopLevelKey(text: string, key: string): boolean {
  const contents = parseDocument(text).contents;
  return isMap(contents) && contents.has(key);
}
