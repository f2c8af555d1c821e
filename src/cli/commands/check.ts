import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type ConfigProblem, describeReadError, formatProblem } from '../../common/config-problem.js';
import { parseCommandArgs, printUsage } from '../args.js';
import type { CliIo, Command } from '../command.js';
import { UsageError } from '../usage-error.js';

type Env = CliIo['env'];

interface Verdict {
  problems: ConfigProblem[];
  warnings: ConfigProblem[];
}

/**
 * One kind of config file `check` knows; the first whose `matches` accepts the text validates it.
 * The readers are imported when a file is checked: the YAML parser and the schemas are not loaded
 * into every switchyard process (a running device reads its config in a worker thread).
 */
interface ConfigKind {
  readonly name: string;
  matches(text: string): Promise<boolean>;
  validate(text: string, file: string, env: Env, readFile: (path: string) => string): Promise<Verdict>;
}

const CONFIG_KINDS: readonly ConfigKind[] = [
  {
    name: 'device',
    matches: (text) => hasTopLevelKey(text, 'device'),
    validate: async (text, file, env, readFile) => {
      const { parseFullDeviceConfig } = await import('../device-config.js');
      const warnings: ConfigProblem[] = [];
      const { problems } = parseFullDeviceConfig(text, file, env, readFile, { checkFiles: true, onWarning: (w) => warnings.push(w) });
      return { problems, warnings };
    },
  },
  {
    name: 'router',
    matches: () => Promise.resolve(true),
    validate: async (text, file, env, readFile) => {
      const { parseRouterConfig } = await import('../../router/config.js');
      return parseRouterConfig(text, file, env, readFile, { checkFiles: true });
    },
  },
];

const USAGE = `Usage: switchyard check CONFIG.yaml [CONFIG.yaml ...]

Validates a device config (one with a top-level "device:" key) or a router config,
including secret files and \${ENV_VAR} references, and what can be checked on this
machine without binding ports: TLS certificate and key files (readable, matching),
Unix socket directories (writable by this user), socket groups. Prints "CONFIG.yaml: ok",
or every problem as "file:line: key: message" on stderr. Warnings (a realm nobody can
join, a socket directory or group that does not exist yet, a device with neither upstream
nor local_router) are printed as "file:line: key: warning: message" and do not fail the check.

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
    for (const file of positionals) if (!(await checkFile(file, io))) status = 1;
    return status;
  },
};

/** Checks one file and prints the verdict; true when it is valid. */
async function checkFile(file: string, io: CliIo): Promise<boolean> {
  const readFile = (path: string): string => readFileSync(resolve(io.cwd, path), 'utf8');
  let text: string;
  try {
    text = readFile(file);
  } catch (error) {
    io.stderr.write(`${file}: cannot read: ${describeReadError(error)}\n`);
    return false;
  }
  let kind = CONFIG_KINDS.at(-1)!;
  for (const candidate of CONFIG_KINDS) {
    if (await candidate.matches(text)) {
      kind = candidate;
      break;
    }
  }
  // Validated under its absolute path, so that the paths it names resolve on this machine
  // (the file checks look at them); reported under the name it was given.
  const verdict = await kind.validate(text, resolve(io.cwd, file), io.env, readFile);
  const problems = verdict.problems.map((problem) => ({ ...problem, file }));
  const warnings = verdict.warnings.map((warning) => ({ ...warning, file }));
  const lines = [...problems, ...warnings.map((warning) => ({ ...warning, message: `warning: ${warning.message}` }))];
  for (const line of lines.sort((a, b) => a.line - b.line)) io.stderr.write(`${formatProblem(line)}\n`);
  if (problems.length > 0) return false;
  const note = warnings.length === 0 ? '' : ` (${warnings.length} warning${warnings.length === 1 ? '' : 's'})`;
  io.stdout.write(`${file}: ok${note}\n`);
  return true;
}

async function hasTopLevelKey(text: string, key: string): Promise<boolean> {
  const yaml = await import('../../common/yaml-schema.js');
  return yaml.hasTopLevelKey(text, key);
}
