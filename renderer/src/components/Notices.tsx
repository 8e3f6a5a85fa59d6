// What the operator must be told in words: host notices and failed commands,
// newest first, bounded.
import { clock } from '../lib/format.js';
import { useCockpit } from '../store/store.js';
import { Panel } from './Panel.js';
import { selectLineage } from '../actions.js';
import { activation } from '../lib/activate.js';

const SHOWN = 100;

export function Notices() {
  const items = useCockpit((s) => s.notices.items);
  const clear = useCockpit((s) => s.clearNotices);
  return (
    <Panel
      title="Notices"
      className="notices-panel"
      extra={
        items.length ? (
          <button type="button" className="btn btn-link" onClick={clear}>
            clear
          </button>
        ) : null
      }
    >
      <ol className="notices" data-testid="notices">
        {items.slice(0, SHOWN).map((n) => (
          <li
            key={n.id}
            className={`notice level-${n.level} ${n.correlationId ? 'clickable' : ''}`}
            data-testid="notice"
            data-level={n.level}
            data-code={n.code}
            {...activation(n.correlationId ? () => selectLineage(n.correlationId) : null)}
          >
            <span className="num muted">{clock(n.ts)}</span>
            <span className="notice-code">{n.code}</span>
            <span className="notice-msg">{n.message}</span>
          </li>
        ))}
        {items.length === 0 ? <li className="notice empty">nothing to report</li> : null}
      </ol>
    </Panel>
  );
}
