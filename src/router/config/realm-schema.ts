import { z } from 'zod';
import { strictMap } from '../../common/schema-parts.js';
import { isValidUri } from '../../protocol/uris.js';
import { ED25519_PUBKEY_HEX } from '../auth/auth-config.js';
import { anyString, boolean, integer, path, text } from './fields.js';

/**
 * The `realms:` entries of the router config: users per authentication method and the roles
 * table. Keys are as in the YAML file. What involves more than one entry or key (role
 * references, duplicates, inline or file secrets, URI rules that depend on strict_uris) is in
 * checks.ts; reading secret files in secret-files.ts.
 */

export const REALM_NAME_MESSAGE = 'expected a realm name such as home or com.example.home (no spaces, # or empty parts)';

export const realmNameSchema = anyString('Realm name, a URI such as home or com.example.home; unique.').refine(
  (name) => isValidUri(name, 'loose', 'exact'),
  { error: REALM_NAME_MESSAGE },
);

const role = text('Role of the session: a key of the realm’s roles table (when it has one).');
const authid = text('Authentication id the client sends in HELLO; unique per method within the realm.');
const secretHelp = 'Inline (possibly ${ENV_VAR}), or in a file with the _file key: exactly one of the two.';

export const ticketUserSchema = strictMap({
  authid,
  method: z.literal('ticket').describe('Ticket (a shared password sent by the client).'),
  role,
  ticket: text(`The ticket. ${secretHelp}`).optional(),
  ticket_file: path('File holding the ticket (trailing newline ignored).').optional(),
});

export const wampcraUserSchema = strictMap({
  authid,
  method: z.literal('wampcra').describe('WAMP-CRA challenge-response: the secret is never sent.'),
  role,
  secret: text(`The shared secret (with salt: the password the key is derived from). ${secretHelp}`).optional(),
  secret_file: path('File holding the secret (trailing newline ignored).').optional(),
  salt: text('Salt for PBKDF2 key derivation: the key is PBKDF2(secret, salt, iterations, keylen).').optional(),
  iterations: integer('PBKDF2 iterations (only with salt); default 1000.', 1).optional(),
  keylen: integer('Derived key length in bytes (only with salt); default 32.', 1, 1024).optional(),
});

export const cryptosignUserSchema = strictMap({
  authid,
  method: z.literal('cryptosign').describe('WAMP-Cryptosign: the client proves it holds the Ed25519 private key.'),
  role,
  pubkey: text('Ed25519 public key as 64 hex characters (switchyard keygen prints it).', {
    pattern: ED25519_PUBKEY_HEX,
    expected: '64 hex characters (an Ed25519 public key)',
  }),
});

export const userSchema = z
  .discriminatedUnion('method', [ticketUserSchema, wampcraUserSchema, cryptosignUserSchema])
  .describe('A user that may join the realm, by authentication method.');

export const USER_METHODS = userSchema.options.map((option) => option.shape.method.value);

export const ACTIONS = ['call', 'register', 'publish', 'subscribe'] as const;
export const MATCHES = ['exact', 'prefix', 'wildcard'] as const;

export const ruleSchema = strictMap({
  uri: anyString('URI (exact), URI prefix (prefix; "" matches everything) or pattern with empty parts (wildcard).'),
  match: z.enum(MATCHES).default('exact').describe('How uri is matched.'),
  allow: z.array(z.enum(ACTIONS).describe('An action.')).describe('Actions allowed on the URIs matched.'),
});

export const rolesSchema = z
  .record(z.string(), z.array(ruleSchema).describe('Rules of the role; an action is allowed when any rule allows it.'))
  .describe('Permissions per role name; without roles everything is allowed for every session.');

export const realmSchema = strictMap({
  name: realmNameSchema,
  anonymous: strictMap({ role })
    .optional()
    .describe('Admit sessions without authentication, with this role; omit to refuse them.'),
  strict_uris: boolean('Check URIs strictly (lowercase letters, digits and _ per part) rather than loosely.').default(false),
  users: z.array(userSchema).default([]).describe('Users that authenticate, by method.'),
  roles: rolesSchema.optional(),
});

export type RealmFileConfig = z.output<typeof realmSchema>;
export type UserFileConfig = z.output<typeof userSchema>;
