import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderCliReference } from '../../src/cli/cli-reference.js';
import { COMMANDS, usage } from '../../src/cli/main.js';

/** docs/cli.md is each command's --help, so it cannot drift from what the executable prints. */
const page = readFileSync(new URL('../../docs/cli.md', import.meta.url), 'utf8');

describe('docs/cli.md', () => {
  it('is generated from the commands (run npm run schemas)', () => {
    expect(page).toBe(renderCliReference(COMMANDS, usage(COMMANDS)));
  });

  it.each(COMMANDS.map((command) => [command.name, command] as const))('has the --help of %s, with its exit status', (name, command) => {
    expect(page).toContain(`## switchyard ${name}\n`);
    expect(page).toContain(command.usage.trimEnd());
    expect(command.usage).toMatch(/Exit status: 0 /);
  });
});
