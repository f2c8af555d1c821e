import { it } from 'vitest';

/** The one script that installs every system package the suites need (Debian bookworm). */
export const INSTALL_HINT = 'sudo bash scripts/install-test-deps.sh';

const reported = new Set<string>();

/**
 * Decides whether a suite that needs a system package (not an npm one) can run, for use at
 * collection time: `describe.skipIf(!requireSystem('python3-autobahn', hasPythonAutobahn))(...)`.
 *
 * - Available: returns true.
 * - Missing on CI (`CI=true`): registers a test that fails with "missing system package NAME"
 *   and returns false, so the run fails instead of passing with the suite silently skipped.
 * - Missing elsewhere: prints one line naming the package and the install script, returns false.
 *
 * `available` is called once per name and process; it should be cheap and must not throw.
 */
export function requireSystem(name: string, available: () => boolean): boolean {
  if (safeCheck(available)) return true;
  if (process.env.CI === 'true') {
    it(`has system package ${name}`, () => {
      throw new Error(`missing system package ${name} (${INSTALL_HINT})`);
    });
    return false;
  }
  if (!reported.has(name)) {
    reported.add(name);
    console.warn(`skipped: needs system package ${name} (${INSTALL_HINT})`);
  }
  return false;
}

const checked = new Map<() => boolean, boolean>();

function safeCheck(available: () => boolean): boolean {
  let result = checked.get(available);
  if (result === undefined) {
    try {
      result = available() === true;
    } catch {
      result = false;
    }
    checked.set(available, result);
  }
  return result;
}
