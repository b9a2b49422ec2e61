/**
 * Window options as data (no Electron import) so tests check them without an Electron binary.
 */

/** The secure set: every window uses exactly this, never its own. */
export function secureWebPreferences(options: { readonly preloadPath: string; readonly devTools: boolean }) {
  return {
    preload: options.preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    devTools: options.devTools,
  } as const;
}

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface WindowBounds {
  readonly x?: number;
  readonly y?: number;
  readonly width: number;
  readonly height: number;
  readonly maximized?: boolean;
}

export const DEFAULT_BOUNDS: WindowBounds = { width: 1200, height: 800 };
export const MIN_SIZE = { width: 720, height: 480 } as const;

function finite(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

/**
 * Restores saved bounds only where a person can see them: the size is clamped to the work area
 * of the display the window mostly sits on, and a window that would be off every display (a
 * monitor was unplugged) loses its position and is centred by the OS instead.
 */
export function clampBounds(saved: unknown, workAreas: readonly Rect[]): WindowBounds {
  if (typeof saved !== 'object' || saved === null) return DEFAULT_BOUNDS;
  const s = saved as Partial<Record<keyof WindowBounds, unknown>>;
  if (!finite(s.width) || !finite(s.height)) return DEFAULT_BOUNDS;
  const maximized = s.maximized === true;
  const hasPos = finite(s.x) && finite(s.y);
  const primary = workAreas[0];
  const target = hasPos ? bestDisplay({ x: s.x as number, y: s.y as number, width: s.width, height: s.height }, workAreas) : primary;
  const area = target ?? primary;
  const maxW = area ? area.width : Number.POSITIVE_INFINITY;
  const maxH = area ? area.height : Number.POSITIVE_INFINITY;
  const width = Math.round(Math.min(Math.max(s.width, MIN_SIZE.width), maxW));
  const height = Math.round(Math.min(Math.max(s.height, MIN_SIZE.height), maxH));
  if (!hasPos || !target) return { width, height, maximized };
  // keep the whole window on the chosen display
  const x = Math.round(Math.min(Math.max(s.x as number, target.x), target.x + target.width - width));
  const y = Math.round(Math.min(Math.max(s.y as number, target.y), target.y + target.height - height));
  return { x, y, width, height, maximized };
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** The display holding most of the window, if at least a visible strip of it is on one. */
function bestDisplay(win: Rect, areas: readonly Rect[]): Rect | undefined {
  let best: Rect | undefined;
  let bestArea = 0;
  for (const a of areas) {
    const o = overlap(win, a);
    if (o > bestArea) {
      best = a;
      bestArea = o;
    }
  }
  // fewer than ~50x50 visible pixels counts as lost
  return bestArea >= 2500 ? best : undefined;
}
