export const LINUX_SIZES: readonly number[];
export function renderIcons(svgPath: string, outDir: string): { file: string; size: number }[];
