import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { ConfigError, type ConfigProblem, describeReadError, readConfigFile, readSecretFile } from '../../common/config-problem.js';
import { validateYaml, type Env, type PathIssue } from '../../common/yaml-schema.js';
import { asError } from '../../client/errors.js';
import { InvalidUrlError, parseUrl } from '../../client/url.js';
import type { AuthOptions } from '../../client/types.js';
import type { SerializerName } from '../../protocol/serializers/serializer.js';
import { checkDeviceConfig } from './checks.js';
import { deviceConfigSchema, type DeviceFileConfig, type UpstreamConfig } from './schema.js';

/** One upstream router, ready for connect(): secrets read, paths resolved. */
export interface UpstreamTarget {
  url: string;
  serializer: SerializerName;
  auth?: AuthOptions;
  /** PEM text of the CA to trust. */
  ca?: string;
}

/** A device config with defaults applied, secrets read and paths resolved; `R`: the local router's config. */
export interface DeviceConfig<R = unknown> extends Omit<DeviceFileConfig, 'upstream' | 'local_router' | 'state_dir'> {
  /** The file it came from (for logs). */
  file: string;
  upstream: UpstreamTarget[];
  state_dir: string;
  local_router?: R;
}

export interface DeviceConfigReadOptions<R> {
  /** `${NAME}` expansion; default process.env. */
  env?: Env;
  readFile?: (path: string) => string;
  /** Reads a cryptosign key file to the 32-byte seed as hex; throws with a message naming the file. */
  readPrivateKey?: (path: string) => string;
  /**
   * Validates the `local_router` block (the router's own config reader, injected so the device
   * layer never imports the router): the file text, the file name and the device's realm.
   */
  readLocalRouter?: (text: string, file: string, realm: string) => { config?: R; problems: readonly ConfigProblem[] };
}

export interface ParsedDeviceConfig<R> {
  config?: DeviceConfig<R>;
  problems: ConfigProblem[];
}

/** Validates device config text; every problem in the file at once, sorted by line. */
export function parseDeviceConfig<R = unknown>(text: string, file: string, options: DeviceConfigReadOptions<R> = {}): ParsedDeviceConfig<R> {
  const env = options.env ?? process.env;
  const result = validateYaml(text, file, deviceConfigSchema, env);
  const problems = [...result.problems];
  const parsed = result.value;
  if (parsed === undefined) return { problems };
  const issues = checkDeviceConfig(parsed);
  const baseDir = dirname(file);
  const resolvePath = (path: string) => (isAbsolute(path) ? path : join(baseDir, path));
  const reader = { readFile: options.readFile ?? readUtf8, readPrivateKey: options.readPrivateKey, resolvePath };
  const upstream = parsed.upstream.map((entry, index) => readUpstream(entry, ['upstream', index], reader, issues));
  let localRouter: R | undefined;
  if (parsed.local_router !== undefined && options.readLocalRouter !== undefined) {
    const local = options.readLocalRouter(text, file, parsed.realm);
    problems.push(...local.problems);
    localRouter = local.config;
  }
  problems.push(...issues.map((issue) => result.document.problem(issue)));
  problems.sort((a, b) => a.line - b.line);
  if (problems.length > 0) return { problems };
  const { local_router: _ignored, state_dir: stateDir, ...rest } = parsed;
  const config: DeviceConfig<R> = {
    ...rest,
    file,
    upstream: upstream.filter((target): target is UpstreamTarget => target !== undefined),
    state_dir: resolvePath(stateDir ?? env.STATE_DIRECTORY ?? '/var/lib/switchyard'),
    sysfs: resolvePath(parsed.sysfs),
  };
  if (parsed.local_router !== undefined) config.local_router = (localRouter ?? parsed.local_router) as R;
  return { config, problems };
}

/** Reads and validates a device config file; throws ConfigError listing every problem. */
export function loadDeviceConfig<R = unknown>(path: string, options: DeviceConfigReadOptions<R> = {}): DeviceConfig<R> {
  const readFile = options.readFile ?? readUtf8;
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new ConfigError(`cannot read device config ${path}: ${describeReadError(error)}`);
  }
  const { config, problems } = parseDeviceConfig(text, path, options);
  if (config === undefined) throw ConfigError.fromProblems(problems);
  return config;
}


interface Reader {
  readFile(path: string): string;
  readPrivateKey: ((path: string) => string) | undefined;
  resolvePath(path: string): string;
}

function readUpstream(entry: UpstreamConfig, at: PropertyKey[], reader: Reader, issues: PathIssue[]): UpstreamTarget | undefined {
  let ok = true;
  const fail = (path: PropertyKey[], message: string) => {
    issues.push({ path, message });
    ok = false;
  };
  try {
    parseUrl(entry.url);
  } catch (error) {
    fail([...at, 'url'], error instanceof InvalidUrlError ? `invalid router URL: ${error.problem}` : asError(error).message);
  }
  let ca: string | undefined;
  if (entry.ca !== undefined) ca = readText(reader, entry.ca, [...at, 'ca'], fail);
  const auth = readAuth(entry, [...at, 'auth'], reader, fail);
  if (!ok) return undefined;
  const target: UpstreamTarget = { url: entry.url, serializer: entry.serializer };
  if (auth !== undefined) target.auth = auth;
  if (ca !== undefined) target.ca = ca;
  return target;
}

type Fail = (path: PropertyKey[], message: string) => void;

function readAuth(entry: UpstreamConfig, at: PropertyKey[], reader: Reader, fail: Fail): AuthOptions | undefined {
  const auth = entry.auth;
  switch (auth?.method) {
    case undefined:
      return undefined;
    case 'anonymous':
      return auth.authid !== undefined ? { method: 'anonymous', authid: auth.authid } : { method: 'anonymous' };
    case 'ticket': {
      const ticket = readSecret(auth.ticket, auth.ticket_file, 'ticket', at, reader, fail);
      return ticket === undefined ? undefined : { method: 'ticket', authid: auth.authid, ticket };
    }
    case 'wampcra': {
      const secret = readSecret(auth.secret, auth.secret_file, 'secret', at, reader, fail);
      return secret === undefined ? undefined : { method: 'wampcra', authid: auth.authid, secret };
    }
    case 'cryptosign': {
      const path = reader.resolvePath(auth.key);
      if (reader.readPrivateKey === undefined) return { method: 'cryptosign', privateKey: '', ...(auth.authid ? { authid: auth.authid } : {}) };
      try {
        const privateKey = reader.readPrivateKey(path);
        return auth.authid !== undefined ? { method: 'cryptosign', authid: auth.authid, privateKey } : { method: 'cryptosign', privateKey };
      } catch (error) {
        fail([...at, 'key'], asError(error).message);
        return undefined;
      }
    }
  }
}

/** A secret given inline or in a `_file` (read, trailing newline stripped): exactly one of the two. */
function readSecret(inline: string | undefined, file: string | undefined, key: string, at: PropertyKey[], reader: Reader, fail: Fail): string | undefined {
  if (inline !== undefined && file !== undefined) return void fail([...at, `${key}_file`], `give either ${key} or ${key}_file, not both`);
  if (inline !== undefined) return inline;
  if (file === undefined) return void fail(at, `missing required key ${key} (or ${key}_file)`);
  const read = readSecretFile(reader.resolvePath(file), reader.readFile);
  if (read.problem !== undefined) fail([...at, `${key}_file`], read.problem);
  return read.text;
}

function readText(reader: Reader, file: string, path: PropertyKey[], fail: Fail): string | undefined {
  const read = readConfigFile(reader.resolvePath(file), reader.readFile);
  if (read.problem !== undefined) fail(path, read.problem);
  return read.text;
}

function readUtf8(path: string): string {
  return readFileSync(path, 'utf8');
}

