// The session form's Market: the seeded synthetic walk or a CSV feed file from
// the host's feeds folder, and a replay's speed. The host lists the files when
// the form is shown and on Refresh; the folder heads them in the list, so the
// trader sees where to put more while choosing one.
import { useId } from 'react';
import { MarketSource, MAX_REPLAY_SPEED, MIN_REPLAY_SPEED } from '../../../shared/index.js';
import { listFeeds } from '../actions.js';
import {
  feedChoices,
  folderWords,
  REPLAY_SPEEDS,
  SYNTHETIC,
  SYNTHETIC_CHOICE,
  type FeedShelf,
  type MarketChoice,
} from '../lib/market.js';
import { SESSION_LABELS } from '../lib/ticket.js';
import { Field } from './Field.js';
import { useShelf, type ShelfView } from './useShelf.js';

// The schema's default, shown as the placeholder: an empty speed sends nothing and the default holds.
const DEFAULT_SPEED = MarketSource.options[1].shape.speed.parse(undefined);

export type FeedShelfView = ShelfView<FeedShelf>;

/** The host's feed listing, read again each time `active` turns true (the form shown, the host reachable). */
export function useFeedShelf(active: boolean): FeedShelfView {
  return useShelf(active, listFeeds);
}

export function MarketFields(props: {
  feeds: FeedShelfView;
  market: string;
  speed: string;
  online: boolean;
  onMarket: (choice: string) => void;
  onSpeed: (text: string) => void;
}) {
  const { feeds, market, speed } = props;
  const speeds = useId();
  const files = feedChoices(feeds.shelf, market);
  const folder = folderWords(feeds.shelf, feeds.error);
  return (
    <>
      {/* Its choices name themselves ("Synthetic (seed)", "btc.csv — …"): no label, so the bar stays one line. */}
      <select
        data-testid="session-market"
        className="w-market"
        aria-label={SESSION_LABELS.market}
        value={market}
        title={`${SESSION_LABELS.market}: ${[SYNTHETIC_CHOICE, ...files].find((choice) => choice.value === market)?.title}`}
        onChange={(e) => props.onMarket(e.target.value)}
      >
        <ChoiceOption choice={SYNTHETIC_CHOICE} />
        <optgroup data-testid="session-market-folder" label={folder}>
          {files.map((choice) => (
            <ChoiceOption key={choice.value} choice={choice} />
          ))}
        </optgroup>
      </select>
      <button
        type="button"
        className="btn btn-refresh"
        data-testid="session-market-refresh"
        aria-label="Refresh the feed list"
        title={`list the feeds folder again (${folder})`}
        disabled={!props.online}
        onClick={feeds.refresh}
      >
        ↻
      </button>
      {market === SYNTHETIC ? null : (
        <Field label={SESSION_LABELS['market.speed']}>
          <span aria-hidden="true">×</span>
          <input
            data-testid="session-speed"
            className="w-speed"
            value={speed}
            placeholder={String(DEFAULT_SPEED)}
            inputMode="decimal"
            list={speeds}
            title={`how much faster than recorded, ${MIN_REPLAY_SPEED} to ${MAX_REPLAY_SPEED}: 60 plays an hour of prices in a minute`}
            onChange={(e) => props.onSpeed(e.target.value)}
          />
          <datalist id={speeds}>
            {REPLAY_SPEEDS.map((choice) => (
              <option key={choice} value={choice} />
            ))}
          </datalist>
        </Field>
      )}
    </>
  );
}

/** A Market or Venue choice: one that cannot be chosen is shown, its title saying why. */
export function ChoiceOption({ choice }: { choice: MarketChoice }) {
  return (
    <option value={choice.value} disabled={choice.disabled} title={choice.title}>
      {choice.label}
    </option>
  );
}
