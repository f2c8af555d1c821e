import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PYTHON = '/usr/bin/python3';

/** Whether the real systemd-notify (Debian's systemd package) and python3 are here. */
export function hasSystemdNotify(): boolean {
  return ['/usr/bin/systemd-notify', '/bin/systemd-notify'].some((path) => existsSync(path));
}

export function hasPython(): boolean {
  return existsSync(PYTHON);
}

// Node cannot bind a Unix datagram socket; Python can. One JSON string per datagram, flushed.
const LISTENER = `
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print(json.dumps("LISTENING"), flush=True)
while True:
    data = s.recv(65536)
    print(json.dumps(data.decode("utf-8", "replace")), flush=True)
`;

/**
 * A stand-in for systemd's notification socket: set NOTIFY_SOCKET to `path` and every datagram
 * sent to it (`READY=1`, `WATCHDOG=1\nSTATUS=…`) is in `messages`, in order of arrival.
 */
export class FakeNotifySocket {
  readonly path: string;
  readonly messages: string[] = [];
  readonly #dir: string;
  readonly #child: ChildProcess;
  readonly #listening: Promise<void>;

  private constructor() {
    this.#dir = mkdtempSync(join(tmpdir(), 'switchyard-notify-'));
    this.path = join(this.#dir, 'notify.sock');
    this.#child = spawn(PYTHON, ['-c', LISTENER, this.path], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.#listening = new Promise((resolve, reject) => {
      let pending = '';
      this.#child.once('error', reject);
      this.#child.once('exit', (code) => reject(new Error(`notify socket listener exited with ${code}`)));
      this.#child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const line of lines) {
          const message = JSON.parse(line) as string;
          if (message === 'LISTENING') resolve();
          else this.messages.push(message);
        }
      });
    });
  }

  static async open(): Promise<FakeNotifySocket> {
    const socket = new FakeNotifySocket();
    await socket.#listening;
    return socket;
  }

  /** The messages with `assignment` among their lines (`READY=1`). */
  having(assignment: string): string[] {
    return this.messages.filter((message) => message.split('\n').includes(assignment));
  }

  /** Resolves once `count` messages carry `assignment`; rejects after `ms` with what arrived. */
  async waitFor(assignment: string, count = 1, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.having(assignment).length < count) {
      if (Date.now() > deadline) throw new Error(`no ${count}× ${assignment} within ${ms} ms; got ${JSON.stringify(this.messages)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  close(): void {
    this.#child.kill('SIGKILL');
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
