// The account's two ledgers: K (the kernel's, from fills, predicted fees and
// funding) and E (what the exchange reports), with the reconcile verdict.
import type { AccountSnapshot } from '../../../shared/index.js';
import { money, pnlClass } from '../lib/format.js';
import { useCockpit } from '../store/store.js';
import { Panel } from './Panel.js';

type Row = { key: string; label: string; value: (a: AccountSnapshot) => number; pnl?: boolean };

const ROWS: Row[] = [
  { key: 'equity', label: 'Equity', value: (a) => a.equity },
  { key: 'realized', label: 'Realized PnL', value: (a) => a.realizedPnl, pnl: true },
  { key: 'unrealized', label: 'Unrealized PnL', value: (a) => a.unrealizedPnl, pnl: true },
  { key: 'fees', label: 'Fees paid', value: (a) => a.feesPaid },
  { key: 'capital', label: 'Capital (K)', value: (a) => a.capital },
];

export function AccountPanel() {
  const account = useCockpit((s) => s.book.account);
  return (
    <Panel
      title="Account"
      className="account"
      extra={
        account ? (
          <span
            className={`muted reconcile-${account.reconcileStatus}`}
            data-testid="account-reconcile"
            title={account.reconcileExplanation}
          >
            reconcile {account.reconcileStatus}
          </span>
        ) : null
      }
    >
      <dl className="kv">
        {ROWS.map((row) => {
          const value = account ? row.value(account) : null;
          return (
            <div key={row.key} className={`kv-row ${row.key === 'equity' ? 'kv-main' : ''}`}>
              <dt>{row.label}</dt>
              <dd className={`num ${row.pnl ? pnlClass(value) : ''}`} data-testid={`account-${row.key}`}>
                {money(value)}
              </dd>
            </div>
          );
        })}
        <div className="kv-row" title="the exchange's wallet balance (E), when it has reported one">
          <dt>Wallet (E)</dt>
          <dd className="num" data-testid="account-wallet">
            {money(account?.walletBalance)}
          </dd>
        </div>
        <div className="kv-row kv-minor" title={account?.reconcileExplanation}>
          <dt>E − K</dt>
          <dd className="num">
            {money(account?.walletBalance === undefined ? undefined : account.reconcileDelta)}
          </dd>
        </div>
        <div className="kv-row kv-minor">
          <dt>Available</dt>
          <dd className="num">{money(account?.availableCapital)}</dd>
        </div>
        <div className="kv-row kv-minor">
          <dt>Funding</dt>
          <dd className="num">{money(account?.fundingNet)}</dd>
        </div>
        <div className="kv-row kv-minor">
          <dt>Seed capital</dt>
          <dd className="num">{money(account?.seedCapital)}</dd>
        </div>
      </dl>
    </Panel>
  );
}
