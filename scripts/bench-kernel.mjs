// Kernel benchmark: one event stream, four ways of driving the kernel.
//   (a) Rust alone (native/examples/kernel_bench.rs, same stream)
//   (b) napi, one typed call per event
//   (c) napi bulk: runs of consecutive inputs of one kind through the packed
//       methods (onVenueEventsPacked / submitIntentsPacked / markPricesPacked),
//       encoded and decoded by native/packed.ts and read the way the host reads
//       them (codes, venue commands, every domain event's fields)
//       and the same boundary work alone: one recorded cycle of (c) replayed
//       without the kernel (benchReplayPacked)
//   (c') napi, venue bursts through the typed onVenueEvents (the old (c))
//   (d) the seed's way: JSON string in/out per call, every slot re-read after each event
// Then peak RSS for the large run (10 M events, 10 000 slots) in Rust and through napi (c).
// (b)–(d) run on the benchmark's own addon: the kernel crate built with the
// cargo feature `bench`, which adds the methods only this script calls.
// Env: BENCH_SLOTS (100), BENCH_EVENTS (1e6), BENCH_SEED_EVENTS (20000),
//      BENCH_BIG_SLOTS (10000), BENCH_BIG_EVENTS (1e7; 0 skips the large run).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transformSync } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * The Kernel class of the benchmark's addon, built (incrementally) under the
 * cargo profile `bench-addon`: its own directory, so the production addon
 * (`npm run build:native`) is neither replaced nor rebuilt. Loaded from
 * cargo's output, whose path cargo reports.
 */
function benchKernel() {
  const messages = execFileSync(
    'cargo',
    [
      'build',
      '--profile',
      'bench-addon',
      '--features',
      'bench',
      '--lib',
      '--manifest-path',
      `${root}native/Cargo.toml`,
      '--message-format',
      'json-render-diagnostics',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 },
  );
  const lib = messages
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .find((m) => m.reason === 'compiler-artifact' && m.target.kind.includes('cdylib'))
    ?.filenames.find((f) => /\.(so|dylib|dll)$/.test(f));
  if (!lib) throw new Error('cargo reported no cdylib for the bench addon');
  const addon = { exports: {} };
  process.dlopen(addon, lib);
  return addon.exports.Kernel;
}
const Kernel = benchKernel();
const env = (name, dflt) => Number(process.env[name] ?? dflt);

/** native/packed.ts, the host's encoder and decoder, compiled on the fly so (c) measures exactly that code. */
async function loadPacked() {
  const { code } = transformSync(readFileSync(`${root}native/packed.ts`, 'utf8'), {
    loader: 'ts',
    format: 'esm',
  });
  const file = `${mkdtempSync(`${os.tmpdir()}/bench-kernel-`)}/packed.mjs`;
  writeFileSync(file, code);
  return import(pathToFileURL(file).href);
}
const { encodeVenueEvents, encodeIntents, encodeMarks, callPacked } = await loadPacked();
const ASSETS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'];

/** The stream: per trade ENTER, ACK, PARTIAL_FILL, FILL, mark, EXIT, ACK, FILL; phase by phase over the slots. */
function* stream(slots, events) {
  let n = 0;
  for (let cycle = 0; ; cycle++) {
    for (let phase = 0; phase < 8; phase++) {
      for (let slot = 0; slot < slots; slot++) {
        if (n === events) return;
        n++;
        const ts = n;
        const trade = cycle * slots + slot + 1;
        const price = 100 + ((slot * 7 + cycle * 13 + phase * 3) % 50) * 0.1;
        const asset = ASSETS[slot % 3];
        if (phase === 0 || phase === 5) {
          yield {
            t: 'intent',
            v:
              phase === 0
                ? {
                    intentId: `i${trade}-${phase}`,
                    action: 'ENTER',
                    asset,
                    side: 'LONG',
                    orderType: 'MARKET',
                    targetSize: 1,
                    referencePrice: price,
                    leverage: 2,
                    slotId: slot,
                    ts,
                  }
                : { intentId: `i${trade}-${phase}`, action: 'EXIT', slotId: slot, ts },
          };
        } else if (phase === 4) {
          yield { t: 'mark', asset, price, ts };
        } else {
          const clientOrderId = `T${trade}-${phase < 4 ? 'E1' : 'X1'}`;
          const [kind, size] =
            phase === 1 || phase === 6
              ? ['ACK', undefined]
              : phase === 2
                ? ['PARTIAL_FILL', 0.4]
                : phase === 3
                  ? ['FILL', 0.6]
                  : ['FILL', 1];
          const v = { eventId: `v${trade}-${phase}`, kind, clientOrderId, ts };
          if (size !== undefined) Object.assign(v, { size, price });
          yield { t: 'venue', v };
        }
      }
    }
  }
}

function time(label, events, fn) {
  globalThis.gc?.();
  const t0 = process.hrtime.bigint();
  fn();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return { label, events, secs, perSec: events / secs, ns: (secs * 1e9) / events };
}

/** The stream in arrays of `size` inputs, built before the clock starts, as a venue adapter hands them over. */
function* chunks(slots, events, size = 16_384) {
  let chunk = [];
  for (const s of stream(slots, events)) {
    chunk.push(s);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length) yield chunk;
}

/**
 * Times a driver over the stream: only `feed` (every input of a chunk) and
 * `end` run on the clock, so each way is measured without the stream's making.
 */
function timeDriver(label, slots, events, makeDriver) {
  globalThis.gc?.();
  const driver = makeDriver(new Kernel({ maxSlots: slots, seedCapital: 1e9 }));
  let ns = 0n;
  for (const chunk of chunks(slots, events)) {
    const t0 = process.hrtime.bigint();
    driver.feed(chunk);
    ns += process.hrtime.bigint() - t0;
  }
  const t0 = process.hrtime.bigint();
  driver.end?.();
  const secs = Number(ns + process.hrtime.bigint() - t0) / 1e9;
  return { label, events, secs, perSec: events / secs, ns: (secs * 1e9) / events };
}

const typed = (k) => ({
  feed(inputs) {
    for (const s of inputs) {
      if (s.t === 'intent') k.submitIntent(s.v);
      else if (s.t === 'venue') k.onVenueEvent(s.v);
      else k.markPrice(s.asset, s.price, s.ts);
    }
  },
});

function batched(k, burst = 512) {
  let batch = [];
  const flush = () => {
    if (batch.length) k.onVenueEvents(batch);
    batch = [];
  };
  return {
    feed(inputs) {
      for (const s of inputs) {
        if (s.t === 'venue') {
          batch.push(s.v);
          if (batch.length === burst) flush();
          continue;
        }
        flush();
        if (s.t === 'intent') k.submitIntent(s.v);
        else k.markPrice(s.asset, s.price, s.ts);
      }
    },
    end: flush,
  };
}

/** What the host reads of each outcome: the code, the venue commands, every domain event's fields. */
function consume(outcomes) {
  let n = 0;
  for (const o of outcomes) {
    if (o.diagnosticCode !== 'OK') n++;
    for (const c of o.venueCommands) n += c.size + c.clientOrderId.length;
    for (const e of o.events) {
      n += e.seq + e.ts + e.slotId + e.type.length + e.eventId.length + e.tradeId.length;
      n += e.correlationId.length + e.causationId.length + (e.size ?? 0) + (e.price ?? 0);
    }
  }
  return n;
}

function packed(k, burst = 512) {
  let run = [];
  let kind = '';
  let sink = 0;
  const flush = () => {
    if (run.length === 0) return;
    const outcomes =
      kind === 'venue'
        ? callPacked(k, k.onVenueEventsPacked, encodeVenueEvents(run))
        : kind === 'intent'
          ? callPacked(k, k.submitIntentsPacked, encodeIntents(run))
          : callPacked(k, k.markPricesPacked, encodeMarks(run));
    sink += consume(outcomes);
    run = [];
  };
  return {
    feed(inputs) {
      for (const s of inputs) {
        if (s.t !== kind || run.length === burst) {
          flush();
          kind = s.t;
        }
        run.push(s.t === 'mark' ? { asset: s.asset, price: s.price, ts: s.ts } : s.v);
      }
    },
    end() {
      flush();
      if (Number.isNaN(sink)) throw new Error('unreachable: keeps the decode work observable');
    },
  };
}

/**
 * The boundary alone: (c) without the kernel. The stream's second cycle (every
 * phase once, every slot busy) goes through the packed methods with its
 * outcomes recorded; then its runs are replayed until `events` inputs are
 * done: each run encoded again, read by Rust as its packed method reads it,
 * the recorded outcomes packed again by the same packer (benchReplayPacked:
 * no kernel call; the id table starts empty at each pass, as for a new
 * stretch of trades), decoded and read as in (c). Not a subtraction: the
 * same code on the same data. It leans pessimistic on the packing (recorded
 * outcomes are colder in cache than ones the kernel has just built) and
 * optimistic on everything else (no kernel evicting the boundary's data).
 */
function boundary(slots, events, burst = 512) {
  const k = new Kernel({ maxSlots: slots, seedCapital: 1e9 });
  const encode = { venue: encodeVenueEvents, intent: encodeIntents, mark: encodeMarks };
  const method = { venue: k.onVenueEventsPacked, intent: k.submitIntentsPacked, mark: k.markPricesPacked };
  const cycles = [[], []];
  let n = 0;
  for (const s of stream(slots, 16 * slots)) {
    const runs = cycles[n++ < 8 * slots ? 0 : 1];
    const last = runs[runs.length - 1];
    const item = s.t === 'mark' ? { asset: s.asset, price: s.price, ts: s.ts } : s.v;
    if (last?.kind === s.t && last.items.length < burst) last.items.push(item);
    else runs.push({ kind: s.t, items: [item] });
  }
  const [warmUp, recorded] = cycles;
  for (const r of warmUp) callPacked(k, method[r.kind], encode[r.kind](r.items));
  k.benchRecordPacked(recorded.length);
  for (const r of recorded) callPacked(k, method[r.kind], encode[r.kind](r.items));
  let sink = 0;
  const r = time('(c) boundary only: (c) without the kernel', events, () => {
    for (let done = 0; done < events;) {
      for (const { kind, items } of recorded) {
        const replay = (nums, text, ends, out) => k.benchReplayPacked(kind, nums, text, ends, out);
        sink += consume(callPacked(k, replay, encode[kind](items)));
        done += items.length;
      }
    }
  });
  if (Number.isNaN(sink)) throw new Error('unreachable: keeps the decode work observable');
  return r;
}

const seedWay = (slots) => (k) => ({
  feed(inputs) {
    for (const s of inputs) {
      const [method, payload] =
        s.t === 'intent'
          ? ['submitIntent', s.v]
          : s.t === 'venue'
            ? ['onVenueEvent', s.v]
            : ['markPrice', { asset: s.asset, price: s.price, ts: s.ts }];
      JSON.parse(k.seedJsonCall(method, JSON.stringify(payload)));
      for (let i = 0; i < slots; i++) JSON.parse(k.seedJsonSlot(i));
    }
  },
});

function rust(slots, events) {
  const out = execFileSync(
    'cargo',
    [
      'run',
      '--release',
      '--quiet',
      '--manifest-path',
      `${root}native/Cargo.toml`,
      '--example',
      'kernel_bench',
      '--',
      String(slots),
      String(events),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  return JSON.parse(out.trim().split('\n').pop());
}

// Child mode: one large batched run, reporting its own peak RSS.
if (process.argv[2] === '--child-batched') {
  const [slots, events] = process.argv.slice(3).map(Number);
  const r = timeDriver('c', slots, events, packed);
  console.log(JSON.stringify({ ...r, maxRssKb: process.resourceUsage().maxRSS }));
  process.exit(0);
}

const fmt = (r) =>
  `${r.label.padEnd(44)} ${String(r.events).padStart(9)} ev  ${(r.perSec / 1e6).toFixed(3).padStart(8)} M ev/s  ${r.ns.toFixed(0).padStart(7)} ns/ev`;
const slots = env('BENCH_SLOTS', 100);
const events = env('BENCH_EVENTS', 1_000_000);
const seedEvents = env('BENCH_SEED_EVENTS', 20_000);
console.log(
  `machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`,
);
console.log(
  `stream: ${slots} slots; entries, acks, partial fills, fills, marks, exits (8 inputs per trade)\n`,
);

const ra = rust(slots, events);
const a = {
  label: '(a) Rust alone',
  events: ra.events,
  secs: ra.seconds,
  perSec: ra.eventsPerSec,
  ns: ra.nsPerEvent,
};
const b = timeDriver('(b) napi, one typed call per event', slots, events, typed);
const c = timeDriver('(c) napi bulk: packed runs, encode+decode+read', slots, events, packed);
const cb = boundary(slots, events);
const c2 = timeDriver("(c') napi, typed onVenueEvents bursts", slots, events, batched);
const d = timeDriver(`(d) seed way: JSON + re-read ${slots} slots/event`, slots, seedEvents, seedWay(slots));
for (const r of [a, b, c, cb, c2, d]) console.log(fmt(r));
console.log(
  `\nratios: (b)/(d) = ${(b.perSec / d.perSec).toFixed(1)}×   (c)/(d) = ${(c.perSec / d.perSec).toFixed(1)}×   (c)/(c') = ${(c.perSec / c2.perSec).toFixed(1)}×   (a)/(b) = ${(a.perSec / b.perSec).toFixed(1)}×`,
);

const bigSlots = env('BENCH_BIG_SLOTS', 10_000);
const bigEvents = env('BENCH_BIG_EVENTS', 10_000_000);
if (bigEvents > 0) {
  const big = rust(bigSlots, bigEvents);
  console.log(`\nlarge run, ${bigEvents} events, ${bigSlots} slots:`);
  console.log(
    `  (a) Rust alone: ${(big.eventsPerSec / 1e6).toFixed(3)} M ev/s, peak RSS ${(big.peakRssKb / 1024).toFixed(0)} MiB`,
  );
  const child = execFileSync(
    process.execPath,
    ['--expose-gc', fileURLToPath(import.meta.url), '--child-batched', String(bigSlots), String(bigEvents)],
    { encoding: 'utf8' },
  );
  const cb = JSON.parse(child.trim());
  console.log(
    `  (c) napi bulk (packed): ${(cb.perSec / 1e6).toFixed(3)} M ev/s, peak RSS ${(cb.maxRssKb / 1024).toFixed(0)} MiB`,
  );
}
