// Test fixture for the durability test: runs a session, prints every event
// id the window was told about as soon as it is told, and waits to be killed.
import { createCockpit } from '../index.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: crash-child.ts <dataDir>');
const cockpit = createCockpit({ dataDir, profile: 'crash' });
cockpit.subscribe((batch) => {
  for (const event of batch) {
    if (event.type === 'journal')
      process.stdout.write(`told ${event.event.sessionId} ${event.event.eventId} ${event.event.type}\n`);
  }
});
await cockpit.invoke('session.start', { seed: 3, latencyMs: 5, tickIntervalMs: 10 });
await cockpit.invoke('intent.submit', { asset: 'BTC/USDT', side: 'LONG', targetSize: 0.01 });
setInterval(() => undefined, 1_000);
