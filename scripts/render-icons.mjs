// Renders build/icon.svg (drawn once) to every size the packages need, with resvg:
//   build/icons/<n>x<n>.png  Linux (AppImage, deb, the desktop entry), 16 … 1024
//   build/icon.png           1024 px: electron-builder makes the macOS .icns and the Windows .ico from it
// Run by `npm run dist`; the test suite renders into a temporary folder and checks each file.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';

export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];

export function renderIcons(svgPath, outDir) {
  const svg = readFileSync(svgPath);
  const written = [];
  const render = (size, file) => {
    const png = new Resvg(svg, { fitTo: { mode: 'width', value: size } }).render().asPng();
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, png);
    written.push({ file, size });
  };
  for (const size of LINUX_SIZES) render(size, join(outDir, 'icons', `${size}x${size}.png`));
  render(1024, join(outDir, 'icon.png'));
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const out = process.argv[2] ?? join(root, 'build');
  for (const { file, size } of renderIcons(join(root, 'build', 'icon.svg'), out)) console.log(`${size}px  ${file}`);
}
