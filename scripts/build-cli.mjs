// Builds the `switchyard` executable into dist/cli: one bundle of src/cli/main.ts with what it
// imports (our modules, ws, cbor-x, msgpackr), plus the chunks it loads on demand (the YAML
// parser and the config schemas, the MQTT gateway) and config-worker.js, the worker thread that
// reads a device config. `npm run build` runs it after tsc (which type-checks src/cli and whose
// dist/cli output it replaces); alone:
//   node scripts/build-cli.mjs [--out DIR] [--quiet]
//
// Why a bundle: a device runs for months on a small board, and its resident memory is what the
// user pays. One file instead of ~250 ES modules (ours and zod's, yaml's…), with the device
// reading its config in a worker so that the schema library never stays resident, took the idle
// demo device from 68.7 to 56.4 MiB and its start-up from 255 to 196 ms (npm run bench). The
// build fails if the main entry's static imports reach zod or yaml.
import { chmod, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_OUT_DIR = join(root, 'dist/cli');

/**
 * Left to Node's resolution at run time: native addons (GPIO, serial ports, the optional
 * decoders cbor-x and msgpackr use when present, ws's optional helpers), loaded on demand or not
 * at all.
 */
const EXTERNAL = ['onoff', 'serialport', '@serialport/*', 'cbor-extract', 'msgpackr-extract', 'bufferutil', 'utf-8-validate'];

/** Packages only start-up may load (in the config worker, or in `check`/`router` on demand). */
export const STARTUP_ONLY = ['zod', 'yaml'];

/**
 * Bundled CommonJS packages (ws, cbor-x…) call require() for Node's own modules; an ES module has
 * no require, so the bundle gets one.
 */
const REQUIRE_SHIM = "import { createRequire as __switchyardRequire } from 'node:module'; const require = __switchyardRequire(import.meta.url);";

/**
 * Builds into `outDir` (emptied first). Chunks sit next to main.js: code that finds files from
 * its own URL (the web UI's dist/web, package.json) is at the depth it has in src/.
 */
export async function buildCli({ outDir = DEFAULT_OUT_DIR } = {}) {
  await rm(outDir, { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints: [join(root, 'src/cli/main.ts'), join(root, 'src/cli/config-worker.ts')],
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: '[name]-[hash]',
    external: EXTERNAL,
    banner: { js: REQUIRE_SHIM },
    // Whitespace and syntax only: names stay (error classes, stack traces), the source maps resolve.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    sourcesContent: true,
    metafile: true,
    logLevel: 'warning',
  });
  await chmod(join(outDir, 'main.js'), 0o755);
  const main = Object.keys(result.metafile.outputs).find((file) => file.endsWith('/main.js') || file === 'main.js');
  const resident = staticPackages(result.metafile, main);
  const leaked = STARTUP_ONLY.filter((name) => resident.has(name));
  if (leaked.length > 0) {
    throw new Error(`build-cli: ${leaked.join(', ')} reached from main.js by static imports; import them where they are used (see src/cli/device-config-file.ts)`);
  }
  return { outDir, metafile: result.metafile, main, resident };
}

/** The npm packages in the outputs `entry` loads before it runs (its static import closure). */
export function staticPackages(metafile, entry) {
  const seen = new Set();
  const packages = new Set();
  const visit = (output) => {
    if (seen.has(output)) return;
    seen.add(output);
    const info = metafile.outputs[output];
    for (const input of Object.keys(info.inputs)) {
      const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      if (match !== null) packages.add(match[1]);
    }
    for (const imported of info.imports) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(entry);
  return packages;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--out');
  const outDir = at >= 0 ? resolve(args[at + 1]) : DEFAULT_OUT_DIR;
  const built = await buildCli({ outDir });
  if (!args.includes('--quiet')) {
    const sizes = Object.entries(built.metafile.outputs)
      .filter(([file]) => file.endsWith('.js'))
      .map(([file, output]) => `  ${relative(root, resolve(root, file))}  ${(output.bytes / 1024).toFixed(0)} KiB`);
    console.log(`switchyard CLI → ${relative(root, outDir)} (resident from the start: ${[...built.resident].sort().join(', ')})\n${sizes.join('\n')}`);
  }
}
