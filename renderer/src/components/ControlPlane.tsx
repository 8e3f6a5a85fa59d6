// The kernel's control plane in the top bar: the trading mode (ACTIVE,
// REDUCING, HALTED) and the kill switch. The kill switch takes two clicks, the
// second within a few seconds, so a stray click cannot flatten the book.
import { useState } from 'react';
import { MODE_MEANING, TradingMode } from '../../../shared/index.js';
import { engageKillSwitch, setTradingMode } from '../actions.js';
import { clock } from '../lib/format.js';
import { useCockpit } from '../store/store.js';
import { useConfirm } from './useConfirm.js';
import { OFFLINE_TITLE, useOnline } from './useOnline.js';

export function ControlPlane() {
  const control = useCockpit((s) => s.book.control);
  const [busy, setBusy] = useState(false);
  const kill = useConfirm(() => void run(() => engageKillSwitch({ reason: 'operator kill switch' })));
  const online = useOnline();

  if (!control) return null;

  async function run(send: () => Promise<unknown>) {
    setBusy(true);
    try {
      await send();
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="control-plane" data-testid="control-plane" data-mode={control.mode}>
      <div className="mode-switch" role="radiogroup" aria-label="trading mode">
        {TradingMode.options.map((mode) => (
          <button
            key={mode}
            type="button"
            role="radio"
            aria-checked={control.mode === mode}
            data-testid={`mode-${mode}`}
            className={`btn mode mode-${mode} ${control.mode === mode ? 'is-on' : ''}`}
            title={online ? `${mode}: ${MODE_MEANING[mode]}` : OFFLINE_TITLE}
            disabled={busy || !online}
            onClick={() => {
              if (control.mode !== mode) void run(() => setTradingMode({ mode }));
            }}
          >
            {mode}
          </button>
        ))}
      </div>
      <button
        type="button"
        data-testid="kill-switch"
        className={`btn btn-kill ${kill.armed ? 'is-armed' : ''}`}
        title={
          online
            ? 'HALT trading, cancel every working order and close every open position at market'
            : OFFLINE_TITLE
        }
        disabled={busy || !online}
        onClick={kill.click}
      >
        {kill.armed ? 'Confirm kill switch' : 'Kill switch'}
      </button>
      {control.killSwitchAt !== undefined ? (
        <span className="kill-fired" data-testid="kill-switch-fired">
          killed {clock(control.killSwitchAt)}
        </span>
      ) : null}
    </div>
  );
}

/** Why the ticket or a row action cannot act in the current mode, or null when it can. */
export function useModeBlock(action: 'enter' | 'exit'): { mode: TradingMode; reason: string } | null {
  const mode = useCockpit((s) => s.book.control?.mode);
  if (mode === 'HALTED' || (mode === 'REDUCING' && action === 'enter')) {
    return { mode, reason: `${mode}: ${MODE_MEANING[mode]}` };
  }
  return null;
}
