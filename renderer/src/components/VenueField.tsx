// The session form's Venue: the paper venue, or the testnet of an exchange the
// host holds credentials for (from its environment; the window sees only ids
// and names). The host lists them when the form is shown and on Refresh, as it
// lists the feeds; the list's heading says which variables hold the credentials,
// and with none listed, a hint beside it says what to set.
import { listExchanges } from '../actions.js';
import { exchangeChoices, exchangesWords, isPaper, PAPER_CHOICE, type ExchangeShelf } from '../lib/venue.js';
import { SESSION_LABELS } from '../lib/ticket.js';
import { Field } from './Field.js';
import { ChoiceOption } from './MarketFields.js';
import { useShelf, type ShelfView } from './useShelf.js';

export type ExchangeShelfView = ShelfView<ExchangeShelf>;

/** The host's exchange listing, read again each time `active` turns true (the form shown, the host reachable). */
export function useExchangeShelf(active: boolean): ExchangeShelfView {
  return useShelf(active, listExchanges);
}

export function VenueField(props: {
  exchanges: ExchangeShelfView;
  venue: string;
  online: boolean;
  onVenue: (choice: string) => void;
}) {
  const { exchanges, venue } = props;
  const choices = exchangeChoices(exchanges.shelf, venue);
  const heading = exchangesWords(exchanges.shelf, exchanges.error);
  const chosen = [PAPER_CHOICE, ...choices].find((choice) => choice.value === venue);
  const none = exchanges.shelf?.exchanges.length === 0;
  return (
    <>
      <Field label={SESSION_LABELS.venue}>
        <select
          data-testid="session-venue"
          className={`w-venue ${isPaper(venue) ? 'is-paper' : ''}`}
          value={venue}
          title={`${SESSION_LABELS.venue}: ${chosen?.title} · ${heading}`}
          onChange={(e) => props.onVenue(e.target.value)}
        >
          <ChoiceOption choice={PAPER_CHOICE} />
          <optgroup data-testid="session-venue-exchanges" label={heading}>
            {choices.map((choice) => (
              <ChoiceOption key={choice.value} choice={choice} />
            ))}
          </optgroup>
        </select>
      </Field>
      {/* One character, so the bar keeps its width: the whole of it is in its title. */}
      {none ? (
        <span
          className="venue-hint"
          data-testid="session-venue-hint"
          role="img"
          title={heading}
          aria-label={heading}
        >
          ?
        </span>
      ) : null}
      <button
        type="button"
        className="btn btn-refresh"
        data-testid="session-venue-refresh"
        aria-label="Refresh the exchange list"
        title={`list the exchanges the host holds credentials for again (${heading})`}
        disabled={!props.online}
        onClick={exchanges.refresh}
      >
        ↻
      </button>
    </>
  );
}
