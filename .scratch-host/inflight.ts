import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCockpit } from '../electron/host/index.js';

const dataDir = mkdtempSync(join(tmpdir(), 'scratch-inflight-'));
const cockpit = createCockpit({ dataDir, profile: 't' });
const call = (n: string, r: object = {}) => cockpit.invoke(n, r) as Promise<any>;
await call('session.start', { seed: 11, latencyMs: 120, tickIntervalMs: 10, risk: { maxGrossNotional: 1000, maxAssetNotional: 1000 } });
await new Promise((r) => setTimeout(r, 100));
const mark = (await call('snapshot')).marks['BTC/USDT'];
console.log('BTC mark', mark, 'one entry of 0.01 =', mark * 0.01, 'USDT; caps 1000');
for (let i = 0; i < 4; i++) {
  const r = await call('intent.submit', { asset: 'BTC/USDT', side: 'LONG', targetSize: 0.01 });
  console.log('entry', i, r.ok ? 'GRANTED' : `${r.error.code} ${r.error.message}`);
}
await new Promise((r) => setTimeout(r, 1500));
const s = await call('snapshot');
const open = s.slots.filter((x: any) => x.size > 0);
console.log('open positions:', open.length, 'notional', open.reduce((a: number, x: any) => a + x.size * s.marks[x.asset], 0).toFixed(1), '> cap 1000');
const late = await call('intent.submit', { asset: 'BTC/USDT', side: 'LONG', targetSize: 0.01 });
console.log('same entry after fills:', late.ok ? 'GRANTED' : `${late.error.code} ${late.error.message}`);
await cockpit.close();
rmSync(dataDir, { recursive: true, force: true });
