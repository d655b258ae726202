import type { Driver, SystemKind, Target } from './endpoint.js';
import { MqttDriver } from './mqtt-driver.js';
import { NetDriver } from './net-driver.js';
import { ParleyDriver } from './parley-driver.js';
import { SocketIoDriver } from './socketio-driver.js';

export interface DriverOptions {
  readonly kind: SystemKind;
  readonly targets: readonly Target[];
  /** MQTT keepalive; the other systems' heartbeats are set on the server or by the idle loop. */
  readonly heartbeatSeconds?: number;
}

export function makeDriver(options: DriverOptions): Driver {
  switch (options.kind) {
    case 'parley':
      return new ParleyDriver(options.targets);
    case 'socketio':
      return new SocketIoDriver(options.targets);
    case 'mqtt':
      return new MqttDriver(options.targets, options.heartbeatSeconds ?? 30);
    case 'net':
      return new NetDriver(options.targets);
  }
}
