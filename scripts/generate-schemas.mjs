// `npm run schemas`: writes devices/device.schema.json, devices/router.schema.json and
// docs/configuration.md from the config schemas (run after changing src/*/config/schema.ts;
// test/cli/config-schemas.test.ts fails while the checked-in files are stale), and docs/cli.md
// from the commands' --help texts (test/cli/cli-reference.test.ts). Runs the TypeScript sources
// through tsx (dist/cli is the bundled executable, not these modules).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderCliReference } from '../src/cli/cli-reference.js';
import { renderConfigReference } from '../src/cli/config-reference.js';
import { COMMANDS, usage } from '../src/cli/main.js';
import { deviceJsonSchema, routerJsonSchema, schemaFileText } from '../src/cli/config-schemas.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const device = deviceJsonSchema();
const router = routerJsonSchema();
writeFileSync(`${root}devices/device.schema.json`, schemaFileText(device));
writeFileSync(`${root}devices/router.schema.json`, schemaFileText(router));
writeFileSync(`${root}docs/configuration.md`, renderConfigReference(device, router));
writeFileSync(`${root}docs/cli.md`, renderCliReference(COMMANDS, usage(COMMANDS)));
console.log('wrote devices/device.schema.json, devices/router.schema.json, docs/configuration.md, docs/cli.md');
