#!/usr/bin/env node
// Installs what a fresh Debian machine lacks for yunlian: Debian's kcat (the
// embedded Kafka) and the npm dependencies. Dependency-free on purpose: it runs
// before node_modules exists. Safe to run again; does nothing when all is there.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const run = (cmd) => {
  process.stderr.write(`setup: ${cmd}\n`);
  execSync(cmd, { stdio: 'inherit', cwd: root });
};

// [how to tell it is installed, Debian package]: kcat hosts the embedded Kafka; chromium and a CJK font serve the UI tests.
const fontInstalled = () => existsSync('/usr/share/fonts/truetype/wqy/wqy-microhei.ttc');
const apt = [
  [() => has('kcat'), 'kcat'],
  [() => has('chromium'), 'chromium'],
  [fontInstalled, 'fonts-wqy-microhei'],
]
  .filter(([installed]) => !installed())
  .map(([, pkg]) => pkg);
if (apt.length > 0) {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot && !has('sudo')) {
    process.stderr.write(`setup: missing Debian packages: ${apt.join(' ')}. Run as root: apt-get update && apt-get install -y ${apt.join(' ')}\n`);
    process.exit(1);
  }
  const sudo = isRoot ? '' : 'sudo ';
  run(`${sudo}apt-get update -qq`);
  run(`${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${apt.join(' ')}`);
}
// `npm install` rather than `npm ci`: chdb lists platform packages for macOS that the registry reachable
// here does not serve, so the lock cannot list them and `npm ci` refuses the lock as out of sync. With the
// lock present, `npm install` installs exactly the locked versions all the same.
if (!existsSync(path.join(root, 'node_modules', '.package-lock.json'))) run('npm install --no-audit --no-fund');
