// IPC channel names, in a module of their own so the preload bundle stays
// free of zod. Main accepts only this prefix, from its own frame.
export const IPC_INVOKE = 'cockpit:invoke';
export const IPC_EVENTS = 'cockpit:events';
