// What every bench entry point (scripts/bench.mjs, scripts/bench-device.mjs) does around its main(),
// and how the bench's server processes (router-server.mjs, device-router.mjs) stop.
import { execFileSync } from 'node:child_process';
import { killAll } from './children.mjs';

/** The short commit of the checkout at `root`, or null outside git. */
export function gitCommit(root) {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** The options of `process.argv` by `parse`: `{ options }`, or `{ code }` after printing the error (2) or `usage` for --help (0). */
export function readOptions(parse, usage) {
  let options;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    console.error(error.message);
    return { code: 2 };
  }
  if (options.help) {
    console.log(usage);
    return { code: 0 };
  }
  return { options };
}

/**
 * For a server child process: on { type: 'stop' }, SIGTERM/SIGINT or when the parent goes away,
 * awaits `close()` once and exits 0 (after 2 s at most) — a clean exit, so that
 * `node --cpu-prof` writes its profile.
 */
export function exitOnStop(close) {
  let stopping = false;
  async function stop() {
    if (stopping) return;
    stopping = true;
    const timer = setTimeout(() => process.exit(0), 2000);
    try {
      await close();
    } finally {
      clearTimeout(timer);
      process.exit(0);
    }
  }
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
  process.on('message', (message) => {
    if (message?.type === 'stop') void stop();
  });
}

/** Runs `main`, prints a crash, kills every child process, and exits with main's code (1 on a crash). */
export async function runMain(main) {
  let code = 1;
  try {
    code = await main();
  } catch (error) {
    console.error(error?.stack ?? String(error));
  } finally {
    killAll();
  }
  process.exit(code);
}
