import { WampError } from '../protocol/errors.js';
import type { Dict, HelloMessage } from '../protocol/messages.js';
import { isDict } from '../protocol/parse.js';
import { ErrorUri, isValidUri } from '../protocol/uris.js';
import type { AuthRequest } from './auth/authenticator.js';

const CLIENT_ROLES = ['caller', 'callee', 'publisher', 'subscriber'] as const;

/** What a HELLO asks for, validated (basic/sessions.md, advanced/authentication.md). */
export interface HelloRequest {
  realm: string;
  roles: Dict;
  authid?: string;
  authmethods: string[];
  authextra: Dict;
  auth(sessionId: number): AuthRequest;
}

/** Validates HELLO.Details; throws WampError (→ ABORT) when it cannot be served. */
export function parseHello(message: HelloMessage): HelloRequest {
  const [, realm, details] = message;
  if (!isValidUri(realm, 'loose', 'exact')) {
    throw new WampError(ErrorUri.INVALID_URI, [`invalid realm URI '${realm}'`]);
  }
  const roles = details['roles'];
  if (!isDict(roles) || !CLIENT_ROLES.some((role) => isDict(roles[role]))) {
    throw new WampError(ErrorUri.PROTOCOL_VIOLATION, [
      'HELLO.Details.roles must announce at least one of caller, callee, publisher, subscriber',
    ]);
  }
  const authid = details['authid'];
  if (authid !== undefined && typeof authid !== 'string') {
    throw new WampError(ErrorUri.PROTOCOL_VIOLATION, ['HELLO.Details.authid must be a string']);
  }
  const methods = details['authmethods'] ?? ['anonymous'];
  if (!Array.isArray(methods) || !methods.every((m) => typeof m === 'string')) {
    throw new WampError(ErrorUri.PROTOCOL_VIOLATION, ['HELLO.Details.authmethods must be a list of strings']);
  }
  const authextra = details['authextra'] ?? {};
  if (!isDict(authextra)) {
    throw new WampError(ErrorUri.PROTOCOL_VIOLATION, ['HELLO.Details.authextra must be a dict']);
  }
  const authmethods = methods.length > 0 ? (methods as string[]) : ['anonymous'];
  return {
    realm,
    roles,
    ...(authid !== undefined ? { authid } : {}),
    authmethods,
    authextra,
    auth(sessionId: number): AuthRequest {
      return {
        realm,
        sessionId,
        ...(authid !== undefined ? { authid } : {}),
        authmethods,
        authextra,
      };
    },
  };
}
