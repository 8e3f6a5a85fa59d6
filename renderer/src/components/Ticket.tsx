// The intent ticket. What the operator typed is checked against the shared
// IntentRequest schema (the host's own rule) and, when it passes, sent; the
// host's answer is shown in words either way.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { submitIntent } from '../actions.js';
import { clock } from '../lib/format.js';
import {
  splitSymbols,
  checkIntent,
  DEFAULT_SYMBOLS,
  explainError,
  intentWords,
  TICKET_LABELS,
  type TicketForm,
} from '../lib/ticket.js';
import { useCockpit } from '../store/store.js';
import { useModeBlock } from './ControlPlane.js';
import { Field } from './Field.js';
import { Panel } from './Panel.js';
import { useCommand } from './useCommand.js';
import { NO_SESSION_TITLE, OFFLINE_TITLE, useOnline, useRunning } from './useOnline.js';

const FALLBACK_SYMBOLS = splitSymbols(DEFAULT_SYMBOLS);
const RESULT_MS = 6_000;

export function Ticket() {
  const symbols = useCockpit(useShallow((s) => s.session.current?.symbols ?? FALLBACK_SYMBOLS));
  const [asset, setAsset] = useState<string | null>(null);
  const [side, setSide] = useState('LONG');
  const [orderType, setOrderType] = useState('MARKET');
  const [size, setSize] = useState('0.01');
  const [limit, setLimit] = useState('');
  const [leverage, setLeverage] = useState('1');
  const [legs, setLegs] = useState('');
  const [takeProfit, setTakeProfit] = useState('');
  const [stopLoss, setStopLoss] = useState('');
  const [result, setResult] = useState<{
    intentId: string;
    scope: string | null;
    /** Set when the entry waits for a grant (supervised mode): nothing was placed yet. */
    pendingUntil: number | undefined;
  } | null>(null);
  // Until the operator types an asset, the ticket follows the session's first symbol.
  const shownAsset = asset ?? symbols[0] ?? '';
  const form: TicketForm = {
    asset: shownAsset,
    side,
    orderType,
    size,
    limit,
    leverage,
    legs,
    takeProfit,
    stopLoss,
  };
  const sessionId = useCockpit((s) => s.session.current?.sessionId ?? null);
  // What the ticket said about one session (e.g. "no session is running") is not shown in the next.
  const { busy, error, run } = useCommand('intent.submit', {
    explain: (e) => explainError(e, intentWords(form)),
    scope: sessionId,
  });
  // The kernel refuses an entry in this mode anyway; the ticket says so before it is sent.
  const blocked = useModeBlock('enter');
  const online = useOnline();
  const running = useRunning();
  const resultTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const shownResult = result && result.scope === sessionId ? result : null;

  useEffect(
    () => () => {
      if (resultTimer.current) clearTimeout(resultTimer.current);
    },
    [],
  );

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setResult(null);
    const checked = checkIntent(form);
    const response = await run(checked, submitIntent);
    if (!response?.ok) return;
    setResult({ intentId: response.intentId, scope: sessionId, pendingUntil: response.pendingUntil });
    if (resultTimer.current) clearTimeout(resultTimer.current);
    resultTimer.current = setTimeout(() => setResult(null), RESULT_MS);
  }

  return (
    <Panel title="Intent ticket" className="ticket">
      <form onSubmit={onSubmit} className="ticket-form" noValidate>
        <Field label={TICKET_LABELS.asset} className="span2">
          <input
            data-testid="ticket-asset"
            list="ticket-symbols"
            value={shownAsset}
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => setAsset(e.target.value)}
          />
          <datalist id="ticket-symbols">
            {symbols.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        </Field>
        <Field label={TICKET_LABELS.side}>
          <select
            data-testid="ticket-side"
            value={side}
            onChange={(e) => setSide(e.target.value)}
            className={side === 'LONG' ? 'long' : 'short'}
          >
            <option value="LONG">LONG</option>
            <option value="SHORT">SHORT</option>
          </select>
        </Field>
        <Field label={TICKET_LABELS.orderType}>
          <select data-testid="ticket-type" value={orderType} onChange={(e) => setOrderType(e.target.value)}>
            <option value="MARKET">MARKET</option>
            <option value="LIMIT">LIMIT</option>
          </select>
        </Field>
        <Field label={TICKET_LABELS.targetSize}>
          <input
            data-testid="ticket-size"
            inputMode="decimal"
            value={size}
            onChange={(e) => setSize(e.target.value)}
          />
        </Field>
        <Field label={TICKET_LABELS.limitPrice} className={orderType === 'MARKET' ? 'dim' : ''}>
          <input
            data-testid="ticket-limit"
            inputMode="decimal"
            value={limit}
            placeholder={orderType === 'MARKET' ? 'market' : 'required'}
            onChange={(e) => setLimit(e.target.value)}
          />
        </Field>
        <Field label={TICKET_LABELS.leverage}>
          <input
            data-testid="ticket-leverage"
            inputMode="decimal"
            value={leverage}
            onChange={(e) => setLeverage(e.target.value)}
          />
        </Field>
        <Field label={TICKET_LABELS.exitLegRatios}>
          <input
            data-testid="ticket-legs"
            value={legs}
            placeholder="1"
            title="comma-separated ratios summing to 1, e.g. 0.5,0.5"
            onChange={(e) => setLegs(e.target.value)}
          />
        </Field>
        <Field label={TICKET_LABELS.takeProfit}>
          <input
            data-testid="ticket-tp"
            inputMode="decimal"
            value={takeProfit}
            placeholder="—"
            onChange={(e) => setTakeProfit(e.target.value)}
          />
        </Field>
        <Field label={TICKET_LABELS.stopLoss}>
          <input
            data-testid="ticket-sl"
            inputMode="decimal"
            value={stopLoss}
            placeholder="—"
            onChange={(e) => setStopLoss(e.target.value)}
          />
        </Field>
        <button
          data-testid="ticket-submit"
          type="submit"
          className={`btn span2 ${side === 'LONG' ? 'btn-long' : 'btn-short'}`}
          disabled={busy || blocked !== null || !online || !running}
          title={!online ? OFFLINE_TITLE : !running ? NO_SESSION_TITLE : blocked?.reason}
        >
          {blocked
            ? `Entries paused: ${blocked.mode}`
            : `${side === 'LONG' ? 'Buy / Long' : 'Sell / Short'} ${shownAsset}`}
        </button>
        {/* At most two lines, so a long refusal cannot push the account off screen; all of it in the tooltip. */}
        <div
          className="ticket-error span2"
          data-testid="ticket-error"
          role="alert"
          title={error ?? undefined}
        >
          {error ? <span className="ticket-error-text">{error}</span> : null}
        </div>
        {shownResult ? (
          <div
            className={`ticket-result span2 ${shownResult.pendingUntil !== undefined ? 'is-waiting' : ''}`}
            data-testid="ticket-result"
          >
            {shownResult.pendingUntil !== undefined
              ? `intent ${shownResult.intentId} waits for your grant until ${clock(shownResult.pendingUntil)}`
              : `sent intent ${shownResult.intentId}`}
          </div>
        ) : null}
      </form>
    </Panel>
  );
}
