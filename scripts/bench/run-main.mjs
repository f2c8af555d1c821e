// What every bench entry point (scripts/bench.mjs, scripts/bench-device.mjs) does around its main().
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
