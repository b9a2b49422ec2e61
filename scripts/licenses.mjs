// The licences of what a Perch package ships: every runtime dependency of main (package.json
// "dependencies", followed through their own dependencies), every package bundled into the
// renderer (the build passes their names), and Electron itself. The About dialog shows this
// list; electron.vite.config.ts writes it into the build as licenses.json.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Node's lookup: the nearest node_modules/<name> from `fromDir` upwards. */
function resolvePackageDir(name, fromDir, root) {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dirname(dir) === dir) return null;
    dir = dirname(dir);
  }
}

function licenseText(pkg) {
  if (typeof pkg.license === 'string') return pkg.license;
  if (pkg.license && typeof pkg.license.type === 'string') return pkg.license.type;
  if (Array.isArray(pkg.licenses)) return pkg.licenses.map((l) => l.type ?? String(l)).join(' OR ');
  return 'UNKNOWN';
}

/** The npm package a bundled module came from ("…/node_modules/@scope/name/…" → "@scope/name"). */
export function packageOfModule(id) {
  const i = id.replace(/\\/g, '/').lastIndexOf('/node_modules/');
  if (i === -1) return null;
  const parts = id
    .replace(/\\/g, '/')
    .slice(i + '/node_modules/'.length)
    .split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** @returns {{ name: string, version: string, license: string, homepage: string | null }[]} sorted by name */
export function collectLicenses(root, bundled = []) {
  const top = readJson(join(root, 'package.json'));
  const seen = new Map();
  const queue = [...Object.keys(top.dependencies ?? {}), ...bundled].map((name) => ({ name, from: root }));
  // Electron is a devDependency for npm but it is the runtime every package ships
  queue.push({ name: 'electron', from: root });
  while (queue.length > 0) {
    const { name, from } = queue.shift();
    const dir = resolvePackageDir(name, from, root);
    if (dir === null || seen.has(dir)) continue;
    const pkg = readJson(join(dir, 'package.json'));
    const homepage = typeof pkg.homepage === 'string' ? pkg.homepage : null;
    seen.set(dir, { name: pkg.name ?? name, version: pkg.version ?? '', license: licenseText(pkg), homepage });
    if (name === 'electron') continue; // its npm dependencies only download the binary
    for (const dep of Object.keys(pkg.dependencies ?? {})) queue.push({ name: dep, from: dir });
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) queue.push({ name: dep, from: dir });
  }
  const unique = new Map();
  for (const entry of seen.values()) unique.set(`${entry.name}@${entry.version}`, entry);
  return [...unique.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}
