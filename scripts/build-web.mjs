// Builds the browser UI (src/web) into dist/web: index.html, and under assets/ the hashed,
// minified bundle main-<hash>.js (ES2020 modules), main-<hash>.css, and the chunks loaded on
// demand (uPlot, when a chart opens). `npm run build` runs it after tsc; alone:
//   node scripts/build-web.mjs [--out DIR] [--quiet]
// Prints every file's size raw, gzipped and brotli'd, and the gzipped weight of the first load.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const WEB = join(root, 'src/web');
export const DEFAULT_OUT_DIR = join(root, 'dist/web');

/**
 * Browsers from 2021 on (ES2020 and more): Chrome/Edge 91, Firefox 90, Safari 15 (iOS 15). They run
 * class private fields and methods natively, which the client uses throughout; naming `es2020`
 * here would make esbuild lower those into WeakMap helpers. esbuild flags Safari 14's
 * destructuring as broken, hence 15.
 */
const TARGET = ['chrome91', 'edge91', 'firefox90', 'safari15'];

/**
 * The page connects with `serializer: 'json'` (src/web/model/connection.ts fixes the type), so
 * the CBOR and MessagePack decoders that src/protocol/serializers/index.ts imports for every
 * client are never used in it. They are replaced by stubs: ~20 KB gzipped less, and no
 * `new Function('')` probe at load (cbor-x's), which the page's CSP (no 'unsafe-eval') reports
 * as a violation. A stub throws if it is ever asked to decode.
 */
const jsonOnly = {
  name: 'json-only',
  setup(build) {
    build.onResolve({ filter: /^(cbor-x|msgpackr)$/ }, (args) => ({ path: args.path, namespace: 'json-only' }));
    build.onLoad({ filter: /.*/, namespace: 'json-only' }, (args) => ({ loader: 'js', contents: decoderStub(args.path) }));
  },
};

/** Exports named like the decoders src/protocol/serializers/{cbor,msgpack}.ts import; decoding throws. */
function decoderStub(name) {
  const message = JSON.stringify(`${name} is left out of the web UI bundle, which speaks JSON (scripts/build-web.mjs)`);
  return [
    `const refuse = () => { throw new Error(${message}); };`,
    'export class Decoder { decode() { refuse(); } }',
    'export class Unpackr { unpack() { refuse(); } }',
    'export const C1 = {};',
  ].join('\n');
}

/**
 * Bundles the UI into `outDir` (emptied first) and returns what it wrote:
 * `{ outDir, files: [{ path, raw, gzip, br, firstLoad }], firstLoad: { raw, gzip, br } }`,
 * paths relative to outDir; `firstLoad` files are the ones a first visit fetches (index.html,
 * the entry script with its static imports, the stylesheet), not the on-demand chunks.
 */
export async function buildWeb({ outDir = DEFAULT_OUT_DIR } = {}) {
  await rm(outDir, { recursive: true, force: true });
  const assets = join(outDir, 'assets');
  await mkdir(assets, { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [
      { in: join(WEB, 'main.ts'), out: 'main' },
      { in: join(WEB, 'styles.css'), out: 'main' },
    ],
    outdir: assets,
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: TARGET,
    minify: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'silent',
    plugins: [jsonOnly],
    // The page runs in browsers only: nothing in it may reach for Node.
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const outputs = Object.entries(result.metafile.outputs).map(([path, output]) => ({ path: resolve(root, path), output }));
  const script = outputs.find(({ output }) => output.entryPoint !== undefined && output.entryPoint.endsWith('main.ts'));
  const style = outputs.find(({ output }) => output.entryPoint !== undefined && output.entryPoint.endsWith('styles.css'));
  if (script === undefined || style === undefined) throw new Error('build-web: esbuild wrote no main script or stylesheet');

  // What a first visit fetches: the page, the stylesheet, the script and what it imports statically.
  const firstLoad = new Set([join(outDir, 'index.html'), style.path]);
  const visit = (path) => {
    if (firstLoad.has(path)) return;
    firstLoad.add(path);
    const output = result.metafile.outputs[relative(root, path)];
    for (const imported of output?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) visit(resolve(root, imported.path));
    }
  };
  visit(script.path);

  // The script's static imports are preloaded with it, so they do not wait for it to be parsed.
  const preloads = [...firstLoad]
    .filter((path) => path.endsWith('.js') && path !== script.path)
    .map((path) => `\n    <link rel="modulepreload" href="./assets/${basename(path)}" />`)
    .join('');
  const template = await readFile(join(WEB, 'index.html'), 'utf8');
  const html = substitute(template, {
    '<script type="module" src="./assets/main.js"></script>': `<script type="module" src="./assets/${basename(script.path)}"></script>${preloads}`,
    './assets/main.css': `./assets/${basename(style.path)}`,
  });
  await writeFile(join(outDir, 'index.html'), html);

  const paths = [join(outDir, 'index.html'), ...outputs.map(({ path }) => path)];
  const files = [];
  for (const path of paths) {
    const bytes = await readFile(path);
    files.push({ path: relative(outDir, path), ...sizesOf(bytes), firstLoad: firstLoad.has(path) });
  }
  const total = (key) => files.filter((f) => f.firstLoad).reduce((sum, f) => sum + f[key], 0);
  return { outDir, files, firstLoad: { raw: total('raw'), gzip: total('gzip'), br: total('br') } };
}

/** Raw, gzip -9 and brotli (quality 11) sizes of `bytes`. */
export function sizesOf(bytes) {
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    br: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

function substitute(template, replacements) {
  let text = template;
  for (const [from, to] of Object.entries(replacements)) {
    if (!text.includes(from)) throw new Error(`build-web: src/web/index.html does not reference ${from}`);
    text = text.replaceAll(from, to);
  }
  return text;
}

/** The size table `node scripts/build-web.mjs` prints. */
export function formatSizes({ outDir, files, firstLoad }) {
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`.padStart(10);
  const lines = [`web UI → ${relative(process.cwd(), outDir) || '.'}`, `${'file'.padEnd(40)}${'raw'.padStart(10)}${'gzip'.padStart(10)}${'brotli'.padStart(10)}`];
  for (const f of files) lines.push(`${(f.path + (f.firstLoad ? '' : ' (on demand)')).padEnd(40)}${kb(f.raw)}${kb(f.gzip)}${kb(f.br)}`);
  lines.push(`${'first load'.padEnd(40)}${kb(firstLoad.raw)}${kb(firstLoad.gzip)}${kb(firstLoad.br)}`);
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--out');
  const outDir = outIndex >= 0 ? resolve(args[outIndex + 1] ?? '') : DEFAULT_OUT_DIR;
  try {
    const built = await buildWeb({ outDir });
    if (!args.includes('--quiet')) console.log(formatSizes(built));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    const messages = error?.errors ?? [];
    console.error(esbuild.formatMessagesSync(messages.slice(0, 5), { kind: 'error' }).join(''));
    if (messages.length > 5) console.error(`… and ${messages.length - 5} more`);
    process.exitCode = 1;
  }
}
