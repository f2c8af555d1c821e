import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../../src/cli/args.js';
import type { Command } from '../../src/cli/command.js';
import { check } from '../../src/cli/commands/check.js';
import { COMMANDS, main, usage } from '../../src/cli/main.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { ConfigError } from '../../src/common/config-problem.js';
import { fakeIo } from './fake-io.js';

/** A command whose run does what the test says, with a --loud flag to test flag parsing. */
function fakeCommand(run: (argv: string[]) => Promise<number>): Command {
  return {
    name: 'fake',
    summary: 'a command for tests',
    usage: 'Usage: switchyard fake [--loud]\n',
    async run(argv, io) {
      const { values } = parseCommandArgs(argv, { loud: { type: 'boolean' } });
      if (values.help === true) {
        io.stdout.write(this.usage);
        return 0;
      }
      return run(argv);
    },
  };
}

describe('main', () => {
  it('registers check', () => {
    expect(COMMANDS.map((command) => command.name)).toContain('check');
  });

  it('starts with a node shebang so the compiled file is executable', () => {
    const source = readFileSync(resolve(__dirname, '../../src/cli/main.ts'), 'utf8');
    expect(source.split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('lists every command with its summary on --help and exits 0', async () => {
    const io = fakeIo();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.stdoutText()).toBe(usage());
    for (const command of COMMANDS) expect(io.stdoutText()).toContain(`  ${command.name}`);
    expect(io.stdoutText()).toContain('validate a device or router config');
    expect(io.stderrText()).toBe('');
  });

  it('prints a command usage for "help COMMAND" and "COMMAND --help"', async () => {
    const a = fakeIo();
    expect(await main(['help', 'check'], a)).toBe(0);
    expect(a.stdoutText()).toBe(check.usage);
    const b = fakeIo();
    expect(await main(['check', '-h'], b)).toBe(0);
    expect(b.stdoutText()).toBe(check.usage);
  });

  it.each(COMMANDS.map((command) => [command.name, command] as const))(
    'prints the usage of %s on --help and exits 0',
    async (name, command) => {
      const io = fakeIo();
      expect(await main([name, '--help'], io)).toBe(0);
      expect(io.stdoutText()).toBe(command.usage);
      expect(command.usage.endsWith('\n')).toBe(true);
    },
  );

  it('prints the usage on stderr and exits 1 without a command', async () => {
    const io = fakeIo();
    expect(await main([], io)).toBe(1);
    expect(io.stderrText()).toBe(usage());
    expect(io.stdoutText()).toBe('');
  });

  it('exits 1 pointing to --help for an unknown command or top-level option', async () => {
    const a = fakeIo();
    expect(await main(['frobnicate', 'x'], a)).toBe(1);
    expect(a.stderrText()).toBe("switchyard: unknown command 'frobnicate'\nsee 'switchyard --help'\n");
    const b = fakeIo();
    expect(await main(['--frob'], b)).toBe(1);
    expect(b.stderrText()).toBe("switchyard: unknown option '--frob'\nsee 'switchyard --help'\n");
    const c = fakeIo();
    expect(await main(['help', 'frobnicate'], c)).toBe(1);
  });

  it('exits 1 with the one-line message and where the help is for an unknown flag (not the whole help)', async () => {
    const command = fakeCommand(async () => 0);
    const io = fakeIo();
    expect(await main(['fake', '--quiet'], io, [command])).toBe(1);
    expect(io.stderrText()).toBe("switchyard fake: Unknown option '--quiet'\nsee 'switchyard fake --help'\n");
  });

  it('exits 1 with a missing flag value', async () => {
    const command: Command = {
      ...fakeCommand(async () => 0),
      async run(argv) {
        parseCommandArgs(argv, { url: { type: 'string' } });
        return 0;
      },
    };
    const io = fakeIo();
    expect(await main(['fake', '--url'], io, [command])).toBe(1);
    expect(io.stderrText()).toBe("switchyard fake: Option '--url <value>' argument missing\nsee 'switchyard fake --help'\n");
  });

  it('returns the exit code of the command', async () => {
    expect(await main(['fake', '--loud'], fakeIo(), [fakeCommand(async () => 0)])).toBe(0);
    expect(await main(['fake'], fakeIo(), [fakeCommand(async () => 1)])).toBe(1);
  });

  it('turns a runtime failure into one line on stderr and exit 2', async () => {
    const command = fakeCommand(async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8081\n    at somewhere'), { code: 'ECONNREFUSED' });
    });
    const io = fakeIo();
    expect(await main(['fake'], io, [command])).toBe(2);
    expect(io.stderrText()).toBe('switchyard fake: connect ECONNREFUSED 127.0.0.1:8081; at somewhere\n');
  });

  it('prints the problems of a ConfigError and exits 1', async () => {
    const problems = [{ file: 'r.yaml', line: 3, key: 'realms', message: 'missing required key' }];
    const command = fakeCommand(async () => {
      throw ConfigError.fromProblems(problems);
    });
    const io = fakeIo();
    expect(await main(['fake'], io, [command])).toBe(1);
    expect(io.stderrText()).toBe('r.yaml:3: realms: missing required key\n');
  });

  it('prints the package version on --version', async () => {
    const io = fakeIo();
    expect(await main(['--version'], io)).toBe(0);
    const pkg = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(io.stdoutText()).toBe(`${pkg.version}\n`);
  });

  it('leaves UsageError handling to main when a command is run directly', async () => {
    await expect(fakeCommand(async () => 0).run(['--nope'], fakeIo())).rejects.toBeInstanceOf(UsageError);
  });
});
