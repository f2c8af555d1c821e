import { basename, extname, resolve } from 'node:path';
import { parseCommandArgs, printUsage } from '../args.js';
import type { CliIo, Command } from '../command.js';
import { generateKeyPair, KeyFileError, KeyFileExistsError, writePrivateKeyFile } from '../../key-file.js';
import { UsageError } from '../usage-error.js';

const DEFAULT_OUT = 'switchyard.key';

const USAGE = `Usage: switchyard keygen [--out FILE] [--force] [--authid NAME] [--role ROLE]

Creates an Ed25519 key pair for cryptosign authentication. The private key goes to FILE
(PKCS#8 PEM, created with mode 0600; never printed). The public key is printed on stdout
as 64 hex characters, and a hint on stderr shows the user entry for the router config:
  { authid: NAME, method: cryptosign, pubkey: HEX, role: ROLE }
Use the key with "--key FILE" on call/publish/subscribe, or "key: FILE" in a device's
upstream auth.

Exit status: 0 ok; 1 FILE exists (without --force) or bad command line; 2 FILE cannot
be written.

Options:
  -o, --out FILE   where to write the private key (default ./${DEFAULT_OUT})
  -f, --force      replace FILE if it exists (the new file is created with mode 0600)
  --authid NAME    authid for the config hint (default: FILE's name without extension)
  --role ROLE      role for the config hint (default device)
  -h, --help       show this help
`;

const OPTIONS = {
  out: { type: 'string', short: 'o', default: DEFAULT_OUT },
  force: { type: 'boolean', short: 'f' },
  authid: { type: 'string' },
  role: { type: 'string', default: 'device' },
} as const;

export const keygen: Command = {
  name: 'keygen',
  summary: 'create an Ed25519 key pair for cryptosign',
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS);
    if (values.help === true) return printUsage(io, USAGE);
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (values.out === '') throw new UsageError('--out: expected a file name');
    const file = resolve(io.cwd, values.out);
    const pair = generateKeyPair();
    try {
      writePrivateKeyFile(file, pair.privatePem, { force: values.force === true });
    } catch (error) {
      if (error instanceof KeyFileExistsError) {
        io.stderr.write(`switchyard keygen: ${error.message}\n`);
        return 1;
      }
      if (error instanceof KeyFileError) {
        io.stderr.write(`switchyard keygen: ${error.message}\n`);
        return 2;
      }
      throw error;
    }
    const authid = values.authid ?? basename(file, extname(file));
    io.stdout.write(`${pair.publicKeyHex}\n`);
    io.stderr.write(
      `switchyard keygen: private key written to ${file} (mode 0600); add this user to the router config realm:\n` +
        `  - { authid: ${authid}, method: cryptosign, pubkey: ${pair.publicKeyHex}, role: ${values.role} }\n`,
    );
    return 0;
  },
};
