export * from './primitives';
export * from './environment';
export * from './notice';
export * from './settings';
export * from './status';
export * from './keys';
export * from './portfolio';
export * from './alerts';
