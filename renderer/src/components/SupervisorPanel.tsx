// The supervisor gate in the window: the entries waiting for the operator's
// grant (supervised mode), oldest first, each with its time left. Grant sends
// one on through the gates, Reject drops it; the host's answer decides. The
// header says the mode, the strategy and the limits the gates hold every entry
// to. Unsupervised with nothing waiting, the panel is that one line.
import { useEffect, useLayoutEffect, useRef, useState, type MouseEvent } from 'react';
import type { CommandError, PendingIntent } from '../../../shared/index.js';
import { grantIntent, rejectIntent, selectLineage } from '../actions.js';
import { activation } from '../lib/activate.js';
import { focusAfterRemoval } from '../lib/focus.js';
import { clock, countdown, DASH, money, price, qty } from '../lib/format.js';
import { decisionFailure, limitsSummary, strategySummary, ttlSummary } from '../lib/risk.js';
import { isRunning } from '../store/apply.js';
import { useCockpit } from '../store/store.js';
import { useModeBlock } from './ControlPlane.js';
import { Panel } from './Panel.js';
import { OFFLINE_TITLE, useOnline } from './useOnline.js';

const TICK_MS = 1_000;
/** Less time left than this is shown as urgent. */
const URGENT_MS = 10_000;
const SUPERVISED = "Supervised — a strategy's entries wait for your grant";

type Verb = 'grant' | 'reject';

/** A grant or reject refused or cut off, kept for the session it was made in (its entry may be gone by then). */
interface Refusal {
  text: string;
  sessionId: string;
}

export function SupervisorPanel() {
  const session = useCockpit((s) => s.session.current);
  const risk = useCockpit((s) => s.book.risk);
  const strategy = useCockpit((s) => s.book.strategy);
  const pending = useCockpit((s) => s.book.pendingIntents);
  const selected = useCockpit((s) => s.lineage.correlationId);
  const online = useOnline();
  // The kernel refuses an entry in REDUCING and HALTED: a grant would be refused too.
  const grantBlocked = useModeBlock('enter')?.reason;
  const [refusal, setRefusal] = useState<Refusal | null>(null);

  if (!session || !isRunning(session) || !risk) return null;
  const sessionId = session.sessionId;

  const limits = limitsSummary(risk);
  const mode = risk.supervised ? 'supervised' : 'unsupervised';
  const strategyText = strategy ? `strategy ${strategySummary(strategy)}` : 'no strategy';
  const limitsText = limits.length ? limits.join(' · ') : 'no limits set';

  if (!risk.supervised && pending.length === 0) {
    const line = `${strategyText} · ${limitsText}`;
    return (
      <Panel
        title="Supervisor"
        className="supervisor is-compact"
        testId="supervisor"
        extra={
          <span className="sup-head">
            <span className="sup-mode mode-unsupervised" data-testid="supervisor-mode" data-mode={mode}>
              Unsupervised
            </span>
            <span className="muted" data-testid="supervisor-summary" title={line}>
              {line}
            </span>
          </span>
        }
      />
    );
  }

  function onAnswer(intent: PendingIntent, verb: Verb, error: CommandError | null) {
    if (!error) {
      setRefusal(null);
      return;
    }
    setRefusal({ text: decisionFailure(intent, verb, error), sessionId });
  }

  const shownRefusal = refusal && refusal.sessionId === sessionId ? refusal.text : null;
  return (
    <Panel
      title="Supervisor"
      className={`supervisor ${pending.length ? 'has-waiting' : ''}`}
      testId="supervisor"
      extra={
        <span className="sup-head">
          <span className={`sup-mode mode-${mode}`} data-testid="supervisor-mode" data-mode={mode}>
            {risk.supervised ? SUPERVISED : 'Unsupervised'}
          </span>
          <span className="muted" data-testid="supervisor-strategy" title={strategyText}>
            {strategyText}
          </span>
          <span className="sup-count" data-testid="supervisor-count" aria-live="polite">
            {pending.length ? `${pending.length} waiting` : ''}
          </span>
        </span>
      }
    >
      <div className="sup-limits" data-testid="supervisor-limits" title={limitsText}>
        limits: {limitsText}
        {risk.supervised ? ` · an entry waits ${ttlSummary(risk)}` : ''}
      </div>
      {shownRefusal ? (
        <div className="sup-error" data-testid="supervisor-error" role="alert" title={shownRefusal}>
          {shownRefusal}
        </div>
      ) : null}
      {pending.length ? (
        // The rows scroll on their own, under the limits and the refusal, which stay in sight.
        <div className="sup-rows">
          <PendingTable
            pending={pending}
            selected={selected}
            online={online}
            grantBlocked={grantBlocked}
            onAnswer={onAnswer}
          />
        </div>
      ) : (
        <div className="sup-empty" data-testid="supervisor-empty">
          nothing waits for your grant
        </div>
      )}
    </Panel>
  );
}

/** The wall clock, once a second: one ticker for every row's countdown, running while entries wait. */
function useClock(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, []);
  return now;
}

interface RowProps {
  selected: string | null;
  online: boolean;
  /** Why the trading mode refuses an entry, or undefined when it lets one through. */
  grantBlocked: string | undefined;
  onAnswer: (intent: PendingIntent, verb: Verb, error: CommandError | null) => void;
}

function PendingTable(props: RowProps & { pending: PendingIntent[] }) {
  const now = useClock();
  const { pending, onAnswer, ...row } = props;
  const rows = useRef<HTMLTableSectionElement>(null);
  const shown = useRef(pending);
  /** The entry last decided by a Grant or Reject that held the focus: its row's going hands the focus on. */
  const decidedWithFocus = useRef<string | null>(null);

  // Before paint, so the focus moves as the row goes, not a frame later.
  useLayoutEffect(() => {
    const before = shown.current.map((intent) => intent.intentId);
    const after = pending.map((intent) => intent.intentId);
    shown.current = pending;
    const decided = decidedWithFocus.current;
    if (decided === null || after.includes(decided)) return;
    decidedWithFocus.current = null;
    // The removed button left the focus on the page itself; focus the operator moved on meanwhile stays put.
    if (document.activeElement !== null && document.activeElement !== document.body) return;
    const next = focusAfterRemoval(before, after, decided);
    const tr = [...(rows.current?.rows ?? [])].find((r) => r.dataset.intentId === next);
    // Its Grant, or its Reject while grants are held back (offline, the trading mode, expiry).
    tr?.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus();
  }, [pending]);

  function onDecide(intent: PendingIntent, focused: boolean) {
    decidedWithFocus.current = focused ? intent.intentId : null;
  }

  function onRowAnswer(intent: PendingIntent, verb: Verb, error: CommandError | null) {
    // A refused entry keeps its row, so the focus has nowhere to move from.
    if (error && decidedWithFocus.current === intent.intentId) decidedWithFocus.current = null;
    onAnswer(intent, verb, error);
  }

  return (
    <table className="grid" data-testid="pending-intents" aria-label="entries waiting for your grant">
      <thead>
        <tr>
          <th>provider</th>
          <th>entry</th>
          <th className="r">size @ price</th>
          <th className="r">notional</th>
          <th className="r">TP / SL</th>
          <th className="r sup-act">expires</th>
        </tr>
      </thead>
      <tbody ref={rows}>
        {pending.map((intent) => (
          <PendingRow
            key={intent.intentId}
            intent={intent}
            now={now}
            onDecide={onDecide}
            onAnswer={onRowAnswer}
            {...row}
          />
        ))}
      </tbody>
    </table>
  );
}

function PendingRow({
  intent,
  now,
  selected,
  online,
  grantBlocked,
  onDecide,
  onAnswer,
}: RowProps & {
  intent: PendingIntent;
  now: number;
  /** Told before the command goes out, with whether the clicked button held the focus. */
  onDecide: (intent: PendingIntent, focused: boolean) => void;
}) {
  const [busy, setBusy] = useState<Verb | null>(null);
  const left = intent.expiresAt - now;
  const limit = intent.limitPrice !== undefined;
  const offline = online ? undefined : OFFLINE_TITLE;

  async function act(event: MouseEvent<HTMLButtonElement>, verb: Verb) {
    event.stopPropagation();
    onDecide(intent, event.currentTarget === document.activeElement);
    setBusy(verb);
    const answer = verb === 'grant' ? await grantIntent(intent) : await rejectIntent(intent.intentId);
    // A decided entry stays busy until the host's next snapshot takes its row away: a second click would only
    // be refused.
    if (!answer.ok) setBusy(null);
    onAnswer(intent, verb, answer.ok ? null : answer.error);
  }

  const expired = left <= 0 ? 'expired: the host is taking it away' : undefined;
  const grantWhy = offline ?? expired ?? grantBlocked;
  return (
    <tr
      data-testid="pending-intent"
      data-intent-id={intent.intentId}
      data-correlation-id={intent.correlationId}
      data-expires-at={intent.expiresAt}
      className={`clickable waiting ${intent.correlationId === selected ? 'selected' : ''}`}
      title={`${intent.intentId} · proposed ${clock(intent.createdAt)}`}
      {...activation(() => selectLineage(intent.correlationId))}
    >
      <td>
        {intent.signalProvider}
        {intent.reason ? (
          <span className="sup-reason muted" data-testid="pending-intent-reason">
            {intent.reason}
          </span>
        ) : null}
      </td>
      <td>
        <span className={intent.side === 'LONG' ? 'long' : 'short'}>{intent.side}</span> {intent.asset}
      </td>
      {/* Size and price share a cell, so the notional and the buttons fit the centre column. */}
      <td
        className="num r"
        title={
          limit ? 'a LIMIT entry, at its limit price' : 'a MARKET entry, at the mark when it was proposed'
        }
      >
        {qty(intent.targetSize)}
        {intent.leverage !== 1 ? <span className="tag">×{intent.leverage}</span> : null}
        {/* In a narrow column the price goes under the size, whole. */}
        <span className="sup-at">
          <span className="muted"> @ </span>
          {price(limit ? intent.limitPrice : intent.referencePrice, intent.asset)}
          <span className="tag">{limit ? 'limit' : 'mkt'}</span>
        </span>
      </td>
      <td className="num r">{money(intent.notional)}</td>
      {intent.takeProfit === undefined && intent.stopLoss === undefined ? (
        <td className="num r muted">{DASH}</td>
      ) : (
        <td className="num r sup-exits">
          <span className="up">
            {intent.takeProfit !== undefined ? price(intent.takeProfit, intent.asset) : DASH}
          </span>
          <span className="down">
            {intent.stopLoss !== undefined ? price(intent.stopLoss, intent.asset) : DASH}
          </span>
        </td>
      )}
      {/* The time left beside the buttons it is about (above them in a narrow column; they stay side by side). */}
      <td className="act sup-act" onClick={(e) => e.stopPropagation()}>
        <span
          className={`num sup-left ${left < URGENT_MS ? 'is-urgent' : ''}`}
          data-testid="pending-intent-expires"
          title={`expires at ${clock(intent.expiresAt)}`}
        >
          {countdown(left)}
        </span>
        <span className="sup-buttons">
          <button
            type="button"
            className="btn btn-row btn-grant"
            data-testid={`intent-grant-${intent.intentId}`}
            aria-label={`Grant ${intent.side} ${intent.asset}`}
            title={grantWhy ?? 'grant: send this entry on through the gates to the kernel'}
            disabled={busy !== null || grantWhy !== undefined}
            onClick={(e) => void act(e, 'grant')}
          >
            Grant
          </button>
          <button
            type="button"
            className="btn btn-row btn-reject"
            data-testid={`intent-reject-${intent.intentId}`}
            aria-label={`Reject ${intent.side} ${intent.asset}`}
            title={offline ?? expired ?? 'reject: drop this entry, nothing is placed'}
            disabled={busy !== null || offline !== undefined || expired !== undefined}
            onClick={(e) => void act(e, 'reject')}
          >
            Reject
          </button>
        </span>
      </td>
    </tr>
  );
}
