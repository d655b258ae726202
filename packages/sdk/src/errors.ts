import { ParleyError, Status } from '@parley/protocol';

/**
 * The connection closed before the server answered. Not a server status: the SDK raises it
 * locally. It carries INTERNAL as its status because the shared table has no "closed" code; use
 * `instanceof ConnectionClosedError` to tell it apart. The outbox treats it as "send again".
 */
export class ConnectionClosedError extends ParleyError {
  constructor(message = 'connection closed') {
    super(Status.INTERNAL, message);
    this.name = 'ConnectionClosedError';
  }
}

/** The client was closed (`close()`, `logout()`, kicked, unauthenticated) and will not reconnect. */
export class ClientStoppedError extends ParleyError {
  constructor(message = 'client stopped') {
    super(Status.INTERNAL, message);
    this.name = 'ClientStoppedError';
  }
}
