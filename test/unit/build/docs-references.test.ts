/**
 * The repo documents itself (docs/ARCHITECTURE.md §6): comments in src/ and test/ may cite the
 * behaviours of docs/behaviours.md (B1–B20), files of this repository, or Binance's docs at a
 * fixed version — never a document that exists only outside the clone.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..', '..');
/** Binance's docs, pinned: the only way a Binance document may be cited. */
const BINANCE_DOCS = /https:\/\/github\.com\/binance\/binance-spot-api-docs\/blob\/[0-9a-f]{40}\/[\w./-]+\.md/g;
/** Documents and folders that exist only on the machine the project was started on. */
const OUTSIDE = /\bDESIGN\b|\bBINANCE-FACTS\b|\bclient-reliability\b|\belectron-anchors\b|\bpeers\.md\b|\bSTYLE\.md\b|\bfacts §|shared\/(?:research|reference)|\/work\/|(?:^|[\s(])research\//;
const MD_FILE = /(?<![\w/.-])((?:[\w-]+\/)*[\w-]+\.md)\b/g;
const B_CITE = /\bB(\d{1,2})\b/g;

export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly problem: string;
}

/** Behaviour numbers defined by docs/behaviours.md (its "## B<n> — …" headings). */
export function definedBehaviours(markdown: string): Set<number> {
  const out = new Set<number>();
  for (const m of markdown.matchAll(/^## B(\d{1,2})\b/gm)) out.add(Number(m[1]));
  return out;
}

/** Every reference in one file's text that a clone of the repo cannot resolve. */
export function scanText(file: string, text: string, behaviours: ReadonlySet<number>, repoHas: (path: string) => boolean): Finding[] {
  const findings: Finding[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.replace(BINANCE_DOCS, '');
    const outside = OUTSIDE.exec(line);
    if (outside !== null) findings.push({ file, line: i + 1, problem: `cites a document outside the repo: ${outside[0]}` });
    for (const m of line.matchAll(MD_FILE)) {
      const path = m[1]!;
      if (!repoHas(path)) findings.push({ file, line: i + 1, problem: `cites ${path}, which is not in the repo (pin Binance docs by URL)` });
    }
    for (const m of line.matchAll(B_CITE)) {
      if (!behaviours.has(Number(m[1]))) findings.push({ file, line: i + 1, problem: `cites B${m[1]}, which docs/behaviours.md does not define` });
    }
  }
  return findings;
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p));
    else if (/\.(?:ts|tsx|mjs|js|css)$/.test(entry.name)) out.push(p);
  }
  return out;
}

const repoHas = (path: string): boolean =>
  existsSync(join(ROOT, path)) || existsSync(join(ROOT, 'docs', path));

describe('references in src/ and test/ resolve inside the repo', () => {
  const behaviours = definedBehaviours(readFileSync(join(ROOT, 'docs', 'behaviours.md'), 'utf8'));
  const self = relative(ROOT, __filename);

  it('docs/behaviours.md defines B1 to B20', () => {
    expect([...behaviours].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('every test file docs/behaviours.md names exists', () => {
    const text = readFileSync(join(ROOT, 'docs', 'behaviours.md'), 'utf8');
    const named = [...text.matchAll(/`(test\/[\w./-]+\.test\.ts)`/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(40);
    expect(named.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });

  it('no file in src/ or test/ cites a document outside the repo or an undefined behaviour', () => {
    const files = [...filesUnder(join(ROOT, 'src')), ...filesUnder(join(ROOT, 'test'))]
      .filter((f) => relative(ROOT, f) !== self);
    expect(files.length).toBeGreaterThan(100);
    const findings = files.flatMap((f) => scanText(relative(ROOT, f), readFileSync(f, 'utf8'), behaviours, repoHas));
    expect(findings.map((f) => `${f.file}:${f.line} ${f.problem}`)).toEqual([]);
  });

  it('control: the scanner does find each kind of bad reference', () => {
    const sample = [
      '// see DESIGN §4',
      '// (client-reliability.md §2)',
      '// rest-api.md § New order',
      '// facts §3.4',
      '// /work/shared/research/peers.md',
      '// B21 is not a behaviour',
      '// fine: B7, README.md, docs/ARCHITECTURE.md §3,',
      '// https://github.com/binance/binance-spot-api-docs/blob/a5e0bc3ddc0fd7e6bb696849323b74423fa3a54d/rest-api.md § New order',
    ].join('\n');
    const found = scanText('sample.ts', sample, behaviours, repoHas);
    expect(new Set(found.map((f) => f.line))).toEqual(new Set([1, 2, 3, 4, 5, 6]));
  });
});
