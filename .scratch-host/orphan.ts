// An orphan position (a late entry fill with no free slot) is real exposure, but position_risk does not count it.
import { Kernel } from '../native/index.js';
import { IntentDesk } from '../electron/host/session/intent-desk.js';
import { IdSource } from '../electron/host/session/ids.js';

const kernel = new Kernel({ maxSlots: 1, seedCapital: 100_000, idPrefix: 'k-', fees: { takerRate: 0, makerRate: 0, lotStep: 0.001, tickSize: 0.1, fundingIntervalSecs: 28800 } });
const t = 1_700_000_000_000;
const enter = (id: string, limit: number) => kernel.submitIntent({ intentId: id, ts: t, action: 'ENTER', asset: 'BTC/USDT', side: 'LONG', orderType: 'LIMIT', limitPrice: limit, targetSize: 0.01, referencePrice: 64000, leverage: 1 });
const e1 = enter('i1', 60000);
const coid1 = e1.venueCommands[0]!.clientOrderId;
kernel.onVenueEvent({ eventId: 'v1', kind: 'ACK', clientOrderId: coid1, venueOrderId: 'V1', ts: t + 1 });
kernel.submitIntent({ intentId: 'c1', ts: t + 2, action: 'CANCEL', asset: 'BTC/USDT', side: 'LONG', orderType: 'MARKET', targetSize: 0.01, leverage: 1, slotId: 0 });
kernel.onVenueEvent({ eventId: 'v2', kind: 'CANCELED', clientOrderId: coid1, venueOrderId: 'V1', ts: t + 3 });
const e2 = enter('i2', 60000); // takes the only slot
const late = kernel.onVenueEvent({ eventId: 'v3', kind: 'FILL', clientOrderId: coid1, venueOrderId: 'V1', venueTradeId: 'X1', price: 60000, size: 0.01, fee: 0, liquidity: 'MAKER', ts: t + 4 });
console.log('late fill:', late.diagnosticCode, late.flags, 'orphanPositions =', kernel.account().orphanPositions);
console.log('slots with size>0:', kernel.slots().filter((s) => s.size > 0).length);

const prices: Record<string, number> = { 'BTC/USDT': 64000 };
const desk = new IntentDesk(
  {
    kernel, ids: new IdSource('zz'), now: () => t + 5, seedCapital: 100_000,
    risk: { shortingDisabled: false, supervised: false, supervisorTtlMs: 60000, maxAssetNotional: 1000 },
    feed: { price: (a: string) => prices[a], marks: () => prices } as any,
    venue: { openOrders: () => [{ clientOrderId: e2.venueCommands[0]!.clientOrderId, asset: 'BTC/USDT', size: 0.01, filledSize: 0, limitPrice: 60000, reduceOnly: false }] } as any,
  },
  { commit: () => {}, notify: (...a: unknown[]) => console.log('notice', a[1], a[2]), guarded: () => {}, stopped: () => false },
);
// After e2's slot frees, a further entry of 0.005 BTC (320 USDT) is checked against a 1000 cap although 640 USDT sits in the orphan.
kernel.submitIntent({ intentId: 'c2', ts: t + 6, action: 'CANCEL', asset: 'BTC/USDT', side: 'LONG', orderType: 'MARKET', targetSize: 0.01, leverage: 1, slotId: 0 });
kernel.onVenueEvent({ eventId: 'v4', kind: 'CANCELED', clientOrderId: e2.venueCommands[0]!.clientOrderId, ts: t + 7 });
(desk as any).parts.venue = { openOrders: () => [] };
console.log('exposure the gate sees:', [...(desk as any).exposure()], '; orphan still open:', kernel.account().orphanPositions);
const r = desk.admit({ request: { action: 'ENTER', asset: 'BTC/USDT', side: 'LONG', orderType: 'MARKET', targetSize: 0.015, leverage: 1, signalProvider: 'operator' } as any, intentId: 'i3', correlationId: 'i3', createdEventId: 'h1', referencePrice: 64000, mark: 64000, ts: t + 8 });
console.log('entry of 0.015 BTC (960 USDT) with 640 USDT orphan, cap 1000:', r.ok ? 'GRANTED' : r.error.message);
