export * from './domain.js';
export * from './instruments.js';
export * from './journal.js';
export * from './errors.js';
export * from './commands.js';
export * from './events.js';
export * from './protocol.js';
export * from './lineage.js';
