// Test fixture for the durability test: runs a session, prints every event
// id the window was told about as soon as it is told, and waits to be killed.
// `crash-child.ts <dataDir>` runs a paper session; `crash-child.ts <dataDir>
// <accountFile>` a session on the exchange double, which writes its account
// to that file after every change (the exchange outlives the host).
import { createCockpit } from '../index.js';
import { doubleAccess, TestnetDouble } from './testnet-double.js';

const [dataDir, accountFile] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: crash-child.ts <dataDir> [accountFile]');
const exchange = new TestnetDouble();
if (accountFile) exchange.persistTo(accountFile);
const cockpit = createCockpit({
  dataDir,
  profile: 'crash',
  exchanges: doubleAccess(exchange),
});
cockpit.subscribe((batch) => {
  for (const event of batch) {
    if (event.type === 'journal')
      process.stdout.write(`told ${event.event.sessionId} ${event.event.eventId} ${event.event.type}\n`);
  }
});
if (accountFile) {
  await cockpit.invoke('session.start', {
    venue: 'ccxt',
    exchange: 'testnetdouble',
    symbols: ['BTC/USDT', 'ETH/USDT'],
  });
  await cockpit.invoke('intent.submit', { asset: 'BTC/USDT', side: 'LONG', targetSize: 0.01 });
  // A limit entry resting below the price: the test fills it on the exchange while the host is dead.
  await cockpit.invoke('intent.submit', {
    asset: 'ETH/USDT',
    side: 'LONG',
    targetSize: 0.1,
    orderType: 'LIMIT',
    limitPrice: 3_100,
  });
} else {
  await cockpit.invoke('session.start', { seed: 3, latencyMs: 5, tickIntervalMs: 10 });
  await cockpit.invoke('intent.submit', { asset: 'BTC/USDT', side: 'LONG', targetSize: 0.01 });
}
setInterval(() => undefined, 1_000);
