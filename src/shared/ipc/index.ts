export * from './channels';
export * from './result';
export * from './contract';
export type { PerchBridge } from './bridge';
