/**
 * The bridge's liveness, shared by main (which sends app:heartbeat) and every window (which
 * watches for it). No imports: the renderer takes these values without pulling in the schemas.
 */

/** How often main sends app:heartbeat. */
export const APP_HEARTBEAT_MS = 1_000;

/**
 * Silence from main after which a window treats the bridge as lost: its figures are shown stale
 * and the status bar says the connection to Perch is lost. Kept under 5 s on purpose.
 */
export const BRIDGE_LOST_AFTER_MS = 4_000;

/** The DOM event (on window) the web host's bridge fires when its socket closes for good. */
export const BRIDGE_CLOSED_EVENT = 'perch-bridge-closed';
