// Top bar: start/stop a session (venue; on paper, market, seed or replay speed
// and capital; symbols, slots, and its risk and strategy behind a disclosure),
// a running replay's controls, its status, its trading mode and kill switch,
// the connection, and live marks per symbol.
import { memo, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { SessionInfo } from '../../../shared/index.js';
import { setReplay, startSession, stopSession } from '../actions.js';
import { baseOf, money, price } from '../lib/format.js';
import { marketSymbols, marketWords, SYNTHETIC } from '../lib/market.js';
import {
  checkSession,
  DEFAULT_SYMBOLS,
  explainError,
  isRiskField,
  NO_RISK,
  SESSION_LABELS,
  sessionWords,
  splitSymbols,
  type RiskForm,
  type SessionForm,
} from '../lib/ticket.js';
import { isPaper, PAPER, venueWords } from '../lib/venue.js';
import { isRunning } from '../store/apply.js';
import { useCockpit } from '../store/store.js';
import { ControlPlane } from './ControlPlane.js';
import { Field } from './Field.js';
import { MarketFields, useFeedShelf } from './MarketFields.js';
import { ReplayControls } from './ReplayControls.js';
import { RiskFields } from './RiskFields.js';
import { useCommand } from './useCommand.js';
import { OFFLINE_TITLE, useLinkView } from './useOnline.js';
import { useExchangeShelf, VenueField } from './VenueField.js';

const DEFAULT_SYMBOL_LIST = splitSymbols(DEFAULT_SYMBOLS);

/** An exchange's testnet is asked several things before its session starts: it may take seconds. */
const STARTING_TITLE = 'starting the session: the venue is being asked to open it';

export function SessionBar() {
  const [venue, setVenue] = useState(PAPER);
  const [market, setMarket] = useState(SYNTHETIC);
  const [seed, setSeed] = useState('');
  const [speed, setSpeed] = useState('');
  const [symbols, setSymbols] = useState(DEFAULT_SYMBOLS);
  const [capital, setCapital] = useState('10000');
  const [slots, setSlots] = useState('4');
  const [risk, setRisk] = useState<RiskForm>(NO_RISK);
  const [riskOpen, setRiskOpen] = useState(false);
  const form: SessionForm = { venue, market, seed, speed, symbols, capital, slots, risk };
  const current = useCockpit((s) => s.session.current);
  const connection = useCockpit((s) => s.session.connection);
  const link = useLinkView();
  const running = isRunning(current);
  const feeds = useFeedShelf(!running && link.online);
  const exchanges = useExchangeShelf(!running && link.online);
  // A refusal about one session (e.g. "a session is already running") is not shown once it changed.
  const scope = `${current?.sessionId ?? ''}:${running}`;
  const start = useCommand('session.start', { explain: (e) => explainError(e, sessionWords(form)), scope });
  const stop = useCommand('session.stop', { scope });
  const replaySet = useCommand('replay.set', { scope });
  const replay = useCockpit((s) => s.book.replay);

  async function onStart(event: FormEvent) {
    event.preventDefault();
    // An exchange's start takes seconds: a second submit (Enter in a field) must not send another.
    if (start.busy) return;
    const checked = checkSession(form, feeds.shelf, exchanges.shelf);
    const answer = await start.run(checked, startSession);
    const refused = checked.ok ? (answer && !answer.ok ? answer.error : null) : checked.error;
    // A refused risk field is shown open; a started session closes them (they are the next session's).
    setRiskOpen(refused ? isRiskField(refused.field) : false);
    // A feed refused is gone or changed since it was listed: the list shows what the folder holds now.
    if (refused?.field === 'market.feed') feeds.refresh();
    // So is an exchange: its credentials or what stops it may have changed.
    if (refused?.field === 'exchange') exchanges.refresh();
  }

  /** A venue brings its symbols: an exchange's default ones, or back on paper, the market's. */
  function chooseVenue(choice: string) {
    setVenue(choice);
    setSymbols(isPaper(choice) ? marketSymbols(market, feeds.shelf) : DEFAULT_SYMBOLS);
  }

  /** A market brings its symbols: a feed's own (the trader may narrow them), or the synthetic walk's default. */
  function chooseMarket(choice: string) {
    setMarket(choice);
    setSymbols(marketSymbols(choice, feeds.shelf));
  }

  const paper = isPaper(venue);
  const busy = start.busy || stop.busy || replaySet.busy;
  const error = start.error ?? stop.error ?? replaySet.error;

  const status = current
    ? `${running ? 'running' : 'stopped'} · ${current.sessionId}`
    : connection === 'open' || connection === 'native'
      ? 'no session'
      : 'no session (connecting)';
  // The bar shows the session's tag (its id's last part); the whole id is in the tooltip.
  // While the connection is lost, "running" would be a claim the window cannot check.
  const shownStatus =
    link.status ??
    (current ? `${running ? 'running' : 'stopped'} · ${current.sessionId.split('-').at(-1)}` : status);
  const statusClass =
    link.banner?.level === 'error'
      ? 'is-lost is-dead'
      : link.stale
        ? 'is-lost'
        : link.online && running
          ? 'is-running'
          : '';

  return (
    <header className={`session-bar ${running ? '' : 'is-idle'}`}>
      <div className="brand">
        <span
          className={`conn conn-${connection}`}
          data-testid="connection"
          data-state={connection}
          title={`host connection: ${connection}`}
        />
        COCKPIT
      </div>
      <form className="session-form" onSubmit={onStart}>
        {running && current ? (
          // While a session runs, what it runs with, in one short line: the fields are for the next one.
          // Its symbols are the marks beside it and its slots the slots panel; all of it is in the tooltip.
          // A replay's controls follow it.
          <>
            <span
              className="session-summary"
              data-testid="session-summary"
              title={`venue ${venueWords(current)} · ${pricesWords(current, replay?.speed)} · symbols ${current.symbols.join(' ')} · capital ${money(current.seedCapital)} · ${current.maxSlots} slots`}
            >
              {/* An exchange's prices are its own: its name says where they come from. */}
              {venueWords(current)} ·{' '}
              {current.exchange ? null : (
                <>
                  <MarketLabel info={current} speed={replay?.speed} /> ·{' '}
                </>
              )}
              capital {money(current.seedCapital)}
            </span>
            {replay ? (
              <ReplayControls
                replay={replay}
                online={link.online}
                busy={busy}
                onSet={(request) => void replaySet.run({ ok: true, request }, setReplay)}
              />
            ) : null}
          </>
        ) : (
          <>
            <VenueField exchanges={exchanges} venue={venue} online={link.online} onVenue={chooseVenue} />
            {/* An exchange's testnet has its own prices and pace, and its wallet is the capital: no paper fields. */}
            {paper ? (
              <MarketFields
                feeds={feeds}
                market={market}
                speed={speed}
                online={link.online}
                onMarket={chooseMarket}
                onSpeed={setSpeed}
              />
            ) : null}
            {paper && market === SYNTHETIC ? (
              <Field label={SESSION_LABELS.seed}>
                <input
                  data-testid="session-seed"
                  className="w-seed"
                  value={seed}
                  placeholder="auto"
                  inputMode="numeric"
                  onChange={(e) => setSeed(e.target.value)}
                />
              </Field>
            ) : null}
            <Field label={SESSION_LABELS.symbols}>
              <input
                data-testid="session-symbols"
                className="w-symbols"
                value={symbols}
                onChange={(e) => setSymbols(e.target.value)}
              />
            </Field>
            {paper ? (
              <Field label={SESSION_LABELS.seedCapital}>
                <input
                  data-testid="session-capital"
                  className="w-num"
                  value={capital}
                  inputMode="decimal"
                  onChange={(e) => setCapital(e.target.value)}
                />
              </Field>
            ) : null}
            <Field label={SESSION_LABELS.maxSlots}>
              <input
                data-testid="session-slots"
                className="w-slots"
                value={slots}
                inputMode="numeric"
                onChange={(e) => setSlots(e.target.value)}
              />
            </Field>
            <RiskFields form={risk} onChange={setRisk} open={riskOpen} onOpenChange={setRiskOpen} />
          </>
        )}
        <button
          data-testid="session-start"
          type="submit"
          className="btn btn-go"
          disabled={busy || running || !link.online}
          aria-busy={start.busy}
          title={link.online ? (start.busy ? STARTING_TITLE : undefined) : OFFLINE_TITLE}
        >
          {start.busy ? 'Starting…' : 'Start'}
        </button>
        <button
          data-testid="session-stop"
          type="button"
          className="btn btn-stop"
          disabled={busy || !running || !link.online}
          title={link.online ? undefined : OFFLINE_TITLE}
          onClick={() => stop.run({ ok: true, request: {} }, stopSession)}
        >
          Stop
        </button>
      </form>
      <div
        className={`session-status ${statusClass}`}
        data-testid="session-status"
        title={link.status ? `${link.status} (${status})` : status}
      >
        {shownStatus}
      </div>
      {running ? <ControlPlane /> : null}
      {error ? (
        <div className="session-error" data-testid="session-error" title={error}>
          {error}
        </div>
      ) : null}
      <Marks symbols={current?.symbols ?? DEFAULT_SYMBOL_LIST} stale={link.stale} />
    </header>
  );
}

/** Where a running session's prices come from: an exchange's testnet, its replay or its seed. */
function pricesWords(info: SessionInfo, speed: number | undefined): string {
  return info.exchange ? `prices and wallet of ${info.exchange.name}'s testnet` : marketWords(info, speed);
}

/** A replay says what it replays and how fast (`speed`, the running replay's, once known); the synthetic walk says its seed. */
function MarketLabel({ info, speed }: { info: SessionInfo; speed: number | undefined }) {
  const market = info.market;
  if (market?.kind !== 'replay') return <>seed {info.seed}</>;
  // A long file name is cut, not the speed after it (the summary's tooltip has the whole name).
  return (
    <span data-testid="session-market-label">
      replay of <span className="market-feed">{market.feed}</span> ×{speed ?? market.speed}
    </span>
  );
}

const Marks = memo(function Marks({ symbols, stale }: { symbols: string[]; stale: boolean }) {
  const known = useCockpit(useShallow((s) => Object.keys(s.market.marks)));
  const all = [...symbols, ...known.filter((k) => !symbols.includes(k))];
  return (
    <div
      className={`marks ${stale ? 'stale' : ''}`}
      data-testid="marks"
      data-stale={stale}
      title={stale ? 'stale: the connection to the host is lost' : undefined}
    >
      {all.map((symbol) => (
        <Mark key={symbol} symbol={symbol} />
      ))}
    </div>
  );
});

const Mark = memo(function Mark({ symbol }: { symbol: string }) {
  const mark = useCockpit((s) => s.market.marks[symbol]);
  const dir =
    mark && mark.prev !== null ? (mark.price > mark.prev ? 'up' : mark.price < mark.prev ? 'down' : '') : '';
  return (
    <div className="mark" title={symbol}>
      <span className="mark-sym">{baseOf(symbol)}</span>
      <span className={`mark-px num ${dir}`} data-testid={`mark-${baseOf(symbol)}`}>
        {mark ? price(mark.price, symbol) : '—'}
      </span>
    </div>
  );
});
