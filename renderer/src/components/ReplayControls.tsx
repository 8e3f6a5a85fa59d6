// A running replay's controls in the top bar: pause or resume it, change its
// speed, and where it stands in its file. Each sends the state wanted, not a
// toggle, so a second click before the next snapshot changes nothing.
import type { CommandRequest, ReplayState } from '../../../shared/index.js';
import { replayPosition, speedChoices } from '../lib/market.js';
import { OFFLINE_TITLE } from './useOnline.js';

const ENDED_TITLE = 'the replay has ended: prices hold at its last row';

export function ReplayControls(props: {
  replay: ReplayState;
  online: boolean;
  busy: boolean;
  onSet: (request: CommandRequest<'replay.set'>) => void;
}) {
  const { replay, online, busy, onSet } = props;
  const position = replayPosition(replay);
  // Why neither control acts; the host refuses both once the replay has ended.
  const blocked = !online ? OFFLINE_TITLE : replay.ended ? ENDED_TITLE : null;
  const action = replay.paused ? 'Resume' : 'Pause';
  return (
    <span className={`replay-controls ${replay.paused ? 'is-paused' : ''}`}>
      <button
        type="button"
        className="btn btn-replay"
        data-testid="replay-pause"
        data-paused={replay.paused}
        aria-label={`${action} the replay`}
        title={
          blocked ??
          (replay.paused
            ? 'resume the replay from where it was paused'
            : 'pause the replay: prices hold, the session runs on')
        }
        disabled={busy || blocked !== null}
        onClick={() => onSet({ paused: !replay.paused })}
      >
        {action}
      </button>
      <select
        data-testid="replay-speed"
        aria-label="replay speed"
        value={replay.speed}
        title={
          blocked ?? 'replay speed: how much faster than recorded (×60 plays an hour of prices in a minute)'
        }
        disabled={busy || blocked !== null}
        onChange={(e) => onSet({ speed: Number(e.target.value) })}
      >
        {speedChoices(replay.speed).map((speed) => (
          <option key={speed} value={speed}>
            ×{speed}
          </option>
        ))}
      </select>
      <span
        className="replay-position num"
        data-testid="market-replay-position"
        data-ended={replay.ended}
        title={position.title}
      >
        {position.text}
      </span>
    </span>
  );
}
