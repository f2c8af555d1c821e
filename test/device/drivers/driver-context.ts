import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../../src/common/clock.js';
import { silentLogger } from '../../../src/common/logger.js';
import type { DriverContext } from '../../../src/device/driver.js';

/**
 * A DriverContext for driver tests: silent logger, real clock, the test process's environment,
 * and sysfs/dev roots that do not exist unless a test passes its own (temporary) trees. Native
 * modules are unavailable unless a test injects fakes through `loadOnoff`/`loadSerialBinding`.
 */
export function fakeDriverContext(overrides: Partial<DriverContext> & { sysfs?: string } = {}): DriverContext {
  return {
    sysfs: join(tmpdir(), 'switchyard-test-no-sysfs'),
    dev: join(tmpdir(), 'switchyard-test-no-dev'),
    env: process.env,
    logger: silentLogger,
    clock: systemClock,
    loadOnoff: () => Promise.reject(new Error('not available in this test')),
    loadSerialBinding: () => Promise.reject(new Error('not available in this test')),
    ...overrides,
  };
}
