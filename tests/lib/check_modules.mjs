// ctest fixture: the node modules the integration and browser tests import
// must be installed in tests/node_modules, and the ones the daemon serves to
// the pages (hls.js, jsQR) in web/node_modules (scripts/deps.sh --test does
// both).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const testsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(testsDir, 'package.json'));
const wanted = path.join(testsDir, 'node_modules') + path.sep;

let ok = true;
for (const name of ['playwright-core', 'ws', 'axe-core']) {
  try {
    const where = require.resolve(name);
    if (!where.startsWith(wanted)) {
      console.error(`${name} resolves outside tests/node_modules: ${where}`);
      ok = false;
    }
  } catch {
    console.error(`${name} is not installed in tests/node_modules`);
    ok = false;
  }
}
for (const [name, file] of [['hls.js', 'hls.light.min.mjs'], ['jsqr', 'jsQR.js']]) {
  const where = path.join(testsDir, '..', 'web', 'node_modules', name, 'dist', file);
  if (!fs.existsSync(where)) {
    console.error(`${name} is not installed in web/node_modules (${where})`);
    ok = false;
  }
}
if (!ok) {
  console.error('run scripts/deps.sh --test');
  process.exit(1);
}
console.log('node modules present: playwright-core, ws, axe-core, web/hls.js, web/jsqr');
