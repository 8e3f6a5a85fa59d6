// Host benchmark: what a venue burst costs the host, and how much of it is
// the kernel. It drives a real TradingSession (the production addon, a WAL
// journal on disk, the event bus) without the venue's and the feed's
// timers: operator ENTER and EXIT commands, the venue's reports for every
// order the kernel placed (ACK, PARTIAL_FILL 0.4, FILL 0.6; exits ACK, FILL)
// in bursts, and a market step per cycle. The clock runs around each of the
// session's calls and the turns of the event loop after it, where the host
// builds the snapshot and fans out what it published. Inside, it also times
// the kernel's calls (the packed methods: napi, the kernel, the packer), the
// kernel's slot reads, and the journal's appends (JSON of each payload,
// SQLite), so the time splits into those and the rest of the host (decode,
// drafts, lineage, fan-out, commands out).
// Env: BENCH_HOST_SLOTS (100), BENCH_HOST_CYCLES (100), BENCH_HOST_BURST (50), BENCH_HOST_LIMITS (0; 1 sets
// every risk limit, too wide to refuse anything, so each ENTER pays for every gate's reads),
// BENCH_HOST_CHECKPOINTS (0; 1 journals a checkpoint with every append, with the kernel memory of an
// exchange session, as an exchange session does).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { EventBus } from '../electron/host/event-bus.js';
import { Journal } from '../electron/host/journal/journal.js';
import type { KernelPort } from '../electron/host/kernel/kernel-port.js';
import { SessionTrades } from '../electron/host/review/session-trades.js';
import { TradeBook } from '../electron/host/session/trade-book.js';
import { findInstrument, RiskEnvelope, type Instrument } from '../shared/index.js';
import { SyntheticFeed } from '../electron/host/market/synthetic-feed.js';
import { EXCHANGE_KERNEL_CONFIG } from '../electron/host/session/exchange-session.js';
import { IdSource } from '../electron/host/session/ids.js';
import { TradingSession } from '../electron/host/session/trading-session.js';
import type { Venue, VenueOrderRequest, VenueReport } from '../electron/host/venue/venue.js';
import { Kernel } from '../native/index.js';
import type { SessionInfo } from '../shared/index.js';

const env = (name: string, dflt: number): number => Number(process.env[name] ?? dflt);
const SLOTS = env('BENCH_HOST_SLOTS', 100);
const CYCLES = env('BENCH_HOST_CYCLES', 100);
const BURST = env('BENCH_HOST_BURST', 50);
const LIMITS = env('BENCH_HOST_LIMITS', 0) === 1;
const CHECKPOINTS = env('BENCH_HOST_CHECKPOINTS', 0) === 1;
const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];

/** Nanoseconds spent in the session's calls and their turns, and inside them in the kernel and the journal. */
interface Spent {
  total: bigint;
  kernel: bigint;
  slots: bigint;
  journal: bigint;
}
const spent = {
  bursts: { total: 0n, kernel: 0n, slots: 0n, journal: 0n },
  commands: { total: 0n, kernel: 0n, slots: 0n, journal: 0n },
};
/** Where the kernel's and the journal's time goes: the session call under way. */
let scope: Spent = spent.bursts;

function timed<T>(into: Spent, part: keyof Spent, run: () => T): T {
  const t0 = process.hrtime.bigint();
  try {
    return run();
  } finally {
    into[part] += process.hrtime.bigint() - t0;
  }
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A session call, the clock running, and the two turns after it: the snapshot it queued is built and
 * published, then the bus delivers it.
 */
async function call<T>(into: Spent, run: () => T): Promise<T> {
  scope = into;
  const t0 = process.hrtime.bigint();
  const result = run();
  await turn();
  await turn();
  into.total += process.hrtime.bigint() - t0;
  return result;
}

/** The kernel, its calls timed (packed ones: napi in, the kernel, the packer, napi out). */
function timedKernel(kernel: Kernel): KernelPort {
  return {
    submitIntent: (intent) => timed(scope, 'kernel', () => kernel.submitIntent(intent)),
    checkIntent: (intent) => timed(scope, 'kernel', () => kernel.checkIntent(intent)),
    onVenueEventsPacked: (...args) => timed(scope, 'kernel', () => kernel.onVenueEventsPacked(...args)),
    markPricesPacked: (...args) => timed(scope, 'kernel', () => kernel.markPricesPacked(...args)),
    packedWords: () => kernel.packedWords(),
    tick: (ts) => timed(scope, 'kernel', () => kernel.tick(ts)),
    onAccountEvent: (event) => kernel.onAccountEvent(event),
    setControl: (control) => timed(scope, 'kernel', () => kernel.setControl(control)),
    control: () => timed(scope, 'kernel', () => kernel.control()),
    killSwitch: (ts) => timed(scope, 'kernel', () => kernel.killSwitch(ts)),
    slots: () => timed(scope, 'slots', () => kernel.slots()),
    slot: (slotId) => timed(scope, 'slots', () => kernel.slot(slotId)),
    account: () => kernel.account(),
    snapshot: () => kernel.snapshot(),
    reconcile: (report) => kernel.reconcile(report),
  };
}

/** The journal, its appends timed. */
class TimedJournal extends Journal {
  override append(...args: Parameters<Journal['append']>) {
    return timed(scope, 'journal', () => super.append(...args));
  }
}

/** Benchmark double of a venue: keeps the orders the kernel placed; the benchmark writes their reports. */
class RecordingVenue implements Venue {
  readonly name = 'bench';
  placed: VenueOrderRequest[] = [];
  submit(order: VenueOrderRequest): void {
    this.placed.push(order);
  }
  cancel(): void {}
  openOrders() {
    return [];
  }
  positions() {
    return [];
  }
  onMarks(): void {}
  close(): void {}
}

let clock = 1_700_000_000_000;
const now = () => clock;
let reportSeq = 0;

function reportsFor(order: VenueOrderRequest, price: number, parts: readonly number[]): VenueReport[] {
  const venueOrderId = `V-${order.clientOrderId}`;
  const reports: VenueReport[] = [
    {
      eventId: `R${++reportSeq}`,
      kind: 'ACK',
      clientOrderId: order.clientOrderId,
      venueOrderId,
      ts: ++clock,
    },
  ];
  parts.forEach((share, index) => {
    const size = Math.round(order.size * share * 1000) / 1000;
    reports.push({
      eventId: `R${++reportSeq}`,
      kind: index === parts.length - 1 ? 'FILL' : 'PARTIAL_FILL',
      clientOrderId: order.clientOrderId,
      venueOrderId,
      venueTradeId: `X${reportSeq}`,
      price,
      size,
      fee: size * price * 0.0005,
      liquidity: 'TAKER',
      ts: ++clock,
    });
  });
  return reports;
}

/** The reports of every order placed since the last call, phase by phase (all acks, then each fill), in bursts. */
async function deliver(
  session: TradingSession,
  venue: RecordingVenue,
  feed: SyntheticFeed,
  parts: readonly number[],
) {
  const orders = venue.placed;
  venue.placed = [];
  const byOrder = orders.map((order) => reportsFor(order, feed.price(order.asset) ?? 1, parts));
  const phases = byOrder[0]?.length ?? 0;
  let reports = 0;
  for (let phase = 0; phase < phases; phase++) {
    const stream = byOrder.map((r) => r[phase] as VenueReport);
    for (let at = 0; at < stream.length; at += BURST) {
      const burst = stream.slice(at, at + BURST);
      reports += burst.length;
      await call(spent.bursts, () => session.onVenueReports(burst));
    }
  }
  return reports;
}

const dir = mkdtempSync(join(os.tmpdir(), 'bench-host-'));
const journal = new TimedJournal(join(dir, 'journal.sqlite'));
const instruments = SYMBOLS.map((s) => findInstrument(s)).filter((i): i is Instrument => i !== undefined);
const info: SessionInfo = {
  sessionId: 'bench-session',
  startedAt: clock,
  venue: 'paper',
  symbols: SYMBOLS,
  seed: 1,
  seedCapital: 1e9,
  maxSlots: SLOTS,
};
journal.createSession(info);
const bus = new EventBus((error) => {
  throw error;
});
let published = 0;
bus.subscribe((batch) => (published += batch.length));
const venue = new RecordingVenue();
const relay: { session?: TradingSession } = {};
const feed = new SyntheticFeed({
  instruments,
  seed: 1,
  tickIntervalMs: 100,
  now,
  onTicks: (ticks) => relay.session?.onMarks(ticks),
});
const session = new TradingSession({
  info,
  ids: new IdSource('bench'),
  kernel: timedKernel(
    new Kernel({
      maxSlots: SLOTS,
      seedCapital: 1e9,
      idPrefix: 'bench-',
      ...(CHECKPOINTS ? EXCHANGE_KERNEL_CONFIG : {}),
    }),
  ),
  checkpoints: CHECKPOINTS,
  instruments,
  venue,
  feed,
  journal,
  bus,
  now,
  log: (level, message) => {
    if (level === 'error') throw new Error(message);
  },
  risk: RiskEnvelope.parse(
    LIMITS
      ? { maxOrderNotional: 1e12, maxAssetNotional: 1e12, maxGrossNotional: 1e12, maxDrawdown: 0.99 }
      : {},
  ),
});
relay.session = session;

let reports = 0;
let commands = 0;
let marks = 0;
const started = process.hrtime.bigint();
for (let cycle = 0; cycle < CYCLES; cycle++) {
  const trades: string[] = [];
  for (let slot = 0; slot < SLOTS; slot++) {
    const asset = SYMBOLS[slot % SYMBOLS.length] as string;
    clock += 1;
    const entered = await call(spent.commands, () =>
      session.submitIntent({
        action: 'ENTER',
        asset,
        side: slot % 2 === 0 ? 'LONG' : 'SHORT',
        orderType: 'MARKET',
        targetSize: asset === 'SOL/USDT' ? 1 : 0.01,
        leverage: 1,
        signalProvider: 'bench',
      }),
    );
    if (!entered.ok) throw new Error(`ENTER refused: ${entered.error.message}`);
    if (entered.value.tradeId) trades.push(entered.value.tradeId);
    commands++;
  }
  reports += await deliver(session, venue, feed, [0.4, 0.6]);
  clock += 100;
  await call(spent.bursts, () => feed.step());
  marks++;
  for (const tradeId of trades) {
    clock += 1;
    const exited = await call(spent.commands, () => session.exitTrade({ tradeId }));
    if (!exited.ok) throw new Error(`EXIT refused: ${exited.error.message}`);
    commands++;
  }
  reports += await deliver(session, venue, feed, [1]);
}
const wall = Number(process.hrtime.bigint() - started) / 1e9;
const rows = journal.page(info.sessionId, 0, Number.MAX_SAFE_INTEGER);
const journaled = rows.length;
const trades = rows.filter((row) => row.type === 'TradeClosed').length;
const checkpointBytes = journal.checkpoint(info.sessionId)?.kernel.length ?? 0;

// Reviewing the session once it stopped (`session.trades`), against folding its whole journal in one go,
// side by side: the time, and the longest the event loop waited (a 1 ms timer's largest gap).
journal.stopSession(info.sessionId, clock);
async function review(fold: () => Promise<unknown>): Promise<{ ms: number; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const probe = setInterval(() => {
    const at = performance.now();
    stallMs = Math.max(stallMs, at - last);
    last = at;
  }, 1);
  const start = performance.now();
  await fold();
  const end = performance.now();
  clearInterval(probe);
  // A fold that never yields never lets the probe run: its whole time is the stall.
  return { ms: end - start, stallMs: Math.max(stallMs, end - last) };
}
const reviews = {
  paged: [] as { ms: number; stallMs: number }[],
  whole: [] as { ms: number; stallMs: number }[],
};
for (let round = 0; round < 3; round++) {
  reviews.paged.push(await review(() => new SessionTrades(journal).of(info.sessionId)));
  reviews.whole.push(
    await review(async () => {
      const book = new TradeBook();
      for (const event of journal.page(info.sessionId, 0, Number.MAX_SAFE_INTEGER)) book.apply(event);
      return book.list();
    }),
  );
}
journal.close();
rmSync(dir, { recursive: true, force: true });

const per = (v: bigint, n: number) => (Number(v) / n).toFixed(0).padStart(7);
const split = (label: string, part: Spent, n: number) => {
  const share = (v: bigint) => `${((100 * Number(v)) / Number(part.total)).toFixed(1).padStart(4)} %`;
  const rest = part.total - part.kernel - part.slots - part.journal;
  console.log(`  ${label}`);
  console.log(`    in all           ${per(part.total, n)} ns`);
  console.log(`    kernel calls     ${per(part.kernel, n)} ns  ${share(part.kernel)}`);
  console.log(`    kernel slot reads${per(part.slots, n)} ns  ${share(part.slots)}`);
  console.log(`    journal appends  ${per(part.journal, n)} ns  ${share(part.journal)}`);
  console.log(`    rest of the host ${per(rest, n)} ns  ${share(rest)}`);
};
const perUnit = (part: Spent, n: number) => ({
  total: Number(part.total) / n,
  kernel: Number(part.kernel) / n,
  slots: Number(part.slots) / n,
  journal: Number(part.journal) / n,
});
console.log(
  `host bench: ${SLOTS} slots, ${CYCLES} cycles, bursts of ${BURST} reports, journal on disk (WAL), ${LIMITS ? 'every risk limit set' : 'no risk limits'}, ${CHECKPOINTS ? `a checkpoint with every append (the last ${(checkpointBytes / 1024).toFixed(0)} KiB)` : 'no checkpoints'}`,
);
console.log(
  `  ${reports} venue reports, ${marks} market steps, ${commands} commands; ${journaled} journal rows, ${trades} trades closed, ${published} events published (${wall.toFixed(1)} s wall)`,
);
split(
  'venue bursts and market steps, per venue report (kernel calls: the packed methods, tick)',
  spent.bursts,
  reports,
);
split('operator commands (ENTER, EXIT), per command (kernel calls: submitIntent)', spent.commands, commands);
const mean = (runs: { ms: number; stallMs: number }[], key: 'ms' | 'stallMs') =>
  runs.reduce((sum, run) => sum + run[key], 0) / runs.length;
const reviewFigures = {
  pagedMs: mean(reviews.paged, 'ms'),
  pagedStallMs: mean(reviews.paged, 'stallMs'),
  wholeMs: mean(reviews.whole, 'ms'),
  wholeStallMs: mean(reviews.whole, 'stallMs'),
};
console.log(`  reviewing the stopped session (${journaled} rows), mean of 3 alternating rounds`);
console.log(
  `    session.trades (its events, paged)  ${reviewFigures.pagedMs.toFixed(0).padStart(5)} ms, event loop stalled ${reviewFigures.pagedStallMs.toFixed(1)} ms at most`,
);
console.log(
  `    whole journal in one fold           ${reviewFigures.wholeMs.toFixed(0).padStart(5)} ms, event loop stalled ${reviewFigures.wholeStallMs.toFixed(1)} ms at most`,
);
console.log(
  JSON.stringify({
    slots: SLOTS,
    cycles: CYCLES,
    burst: BURST,
    reports,
    commands,
    journalRows: journaled,
    perReportNs: perUnit(spent.bursts, reports),
    perCommandNs: perUnit(spent.commands, commands),
    review: reviewFigures,
  }),
);
