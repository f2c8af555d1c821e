import { MessageType } from '../../protocol/message-type.js';
import type {
  Dict,
  ErrorMessage,
  InterruptMessage,
  InvocationMessage,
  RegisteredMessage,
  UnregisteredMessage,
} from '../../protocol/messages.js';
import { ErrorUri } from '../../protocol/uris.js';
import type { SessionClosedError } from '../errors.js';
import type { Procedure, RegisterOptions, Registration } from '../types.js';
import { InvocationRunner } from './invocation-runner.js';
import { rejectAllPending, rejectWithError, takePending, type Pending, type Role, type RoleContext } from './role.js';

interface PendingRegister extends Pending<Registration> {
  procedure: string;
  handler: Procedure;
}

interface PendingUnregister extends Pending<void> {
  registration: ClientRegistration;
}

/**
 * The callee role (basic/remote_procedure_call.md): REGISTER/UNREGISTER, and INVOCATION/INTERRUPT
 * handed to the InvocationRunner (invocation-runner.ts), which runs the handlers and answers.
 */
export class Callee implements Role {
  readonly #ctx: RoleContext;
  readonly #registering = new Map<number, PendingRegister>();
  readonly #unregistering = new Map<number, PendingUnregister>();
  readonly #registrations = new Map<number, ClientRegistration>();
  readonly #runner: InvocationRunner;

  constructor(ctx: RoleContext) {
    this.#ctx = ctx;
    this.#runner = new InvocationRunner(ctx);
  }

  register(procedure: string, handler: Procedure, options: RegisterOptions = {}): Promise<Registration> {
    const ctx = this.#ctx;
    const closed = ctx.closedError();
    if (closed !== undefined) return Promise.reject(closed);
    const id = ctx.nextRequestId();
    const wireOptions: Dict = {};
    if (options.match !== undefined && options.match !== 'exact') wireOptions['match'] = options.match;
    if (options.invoke !== undefined && options.invoke !== 'single') wireOptions['invoke'] = options.invoke;
    if (options.discloseCaller === true) wireOptions['disclose_caller'] = true;
    try {
      ctx.sendRequest([MessageType.REGISTER, id, wireOptions, procedure]);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => this.#registering.set(id, { procedure, handler, resolve, reject }));
  }

  /** @internal ClientRegistration.unregister(). */
  unregister(registration: ClientRegistration): Promise<void> {
    const ctx = this.#ctx;
    if (this.#registrations.get(registration.id) !== registration || ctx.closedError() !== undefined) {
      return Promise.resolve(); // already gone, with the session or a revocation
    }
    const id = ctx.nextRequestId();
    ctx.sendRequest([MessageType.UNREGISTER, id, registration.id]);
    return new Promise((resolve, reject) => this.#unregistering.set(id, { registration, resolve, reject }));
  }

  onRegistered(message: RegisteredMessage): void {
    const [, request, registrationId] = message;
    const pending = takePending(this.#registering, request, 'REGISTERED');
    const registration = new ClientRegistration(this, registrationId, pending.procedure, pending.handler);
    this.#registrations.set(registrationId, registration);
    pending.resolve(registration);
  }

  onUnregistered(message: UnregisteredMessage): void {
    const [, request, details] = message;
    if (request === 0 && details !== undefined) {
      // Revocation (registration_revocation); we do not announce it, but a router may still send it.
      const id = details['registration'];
      if (typeof id === 'number') this.#registrations.delete(id);
      this.#ctx.logger.warn('registration revoked by the router', { registration: id, reason: details['reason'] });
      return;
    }
    const pending = takePending(this.#unregistering, request, 'UNREGISTERED');
    this.#registrations.delete(pending.registration.id);
    pending.resolve();
  }

  onError(message: ErrorMessage): void {
    rejectWithError(message[1] === MessageType.REGISTER ? this.#registering : this.#unregistering, message);
  }

  onInvocation(message: InvocationMessage): void {
    const [, id, registrationId] = message;
    const registration = this.#registrations.get(registrationId);
    if (registration === undefined) {
      this.#runner.sendError(id, ErrorUri.NO_SUCH_REGISTRATION, [`no registration ${registrationId} in this session`]);
      return;
    }
    this.#runner.run(message, registration);
  }

  onInterrupt(message: InterruptMessage): void {
    this.#runner.interrupt(message);
  }

  close(error: SessionClosedError): void {
    rejectAllPending(this.#registering, error);
    rejectAllPending(this.#unregistering, error);
    this.#registrations.clear();
    this.#runner.close(error);
  }
}

/** The Registration a `register` call resolves with. */
class ClientRegistration implements Registration {
  readonly id: number;
  readonly procedure: string;
  readonly handler: Procedure;
  readonly #callee: Callee;
  #unregistering: Promise<void> | undefined;

  constructor(callee: Callee, id: number, procedure: string, handler: Procedure) {
    this.#callee = callee;
    this.id = id;
    this.procedure = procedure;
    this.handler = handler;
  }

  unregister(): Promise<void> {
    this.#unregistering ??= this.#callee.unregister(this).catch((error: unknown) => {
      this.#unregistering = undefined;
      throw error;
    });
    return this.#unregistering;
  }
}
