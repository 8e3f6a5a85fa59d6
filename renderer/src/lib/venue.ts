// Where a session trades, in words: the session form's Venue choices (the paper
// venue, or an exchange's testnet the host holds credentials for), the part of
// the start request the venue decides, and the venue a running or past session
// traded on. The window only ever sees an exchange's id and name.
import type { CommandResults, Failure, SessionInfo } from '../../../shared/index.js';
import type { MarketChoice } from './market.js';

/** The Venue choice of the paper venue; every other choice is an exchange's id (no ccxt exchange is called so). */
export const PAPER = 'paper';

/** What `exchange.list` answered: the exchanges the host holds credentials for, and the variables it reads. */
export type ExchangeShelf = CommandResults['exchange.list'];

/** A Venue choice: as a Market choice, a value, its text and title, and whether it can be chosen. */
export type VenueChoice = MarketChoice;

/** A problem is cut to this in the choice's text; its title holds all of it. */
const MAX_PROBLEM_CHARS = 60;

const cut = (text: string): string =>
  text.length > MAX_PROBLEM_CHARS ? `${text.slice(0, MAX_PROBLEM_CHARS)}…` : text;

export const isPaper = (choice: string): boolean => choice === PAPER;

/** The paper venue: the Venue select's first choice. */
export const PAPER_CHOICE: VenueChoice = {
  value: PAPER,
  label: 'Paper',
  title: 'the paper venue: orders fill on this machine at the synthetic or replayed prices',
  disabled: false,
};

/** `venue` and `exchange` of session.start for a Venue choice. */
export function venueRequest(choice: string): { venue: 'paper' } | { venue: 'ccxt'; exchange: string } {
  return isPaper(choice) ? { venue: 'paper' } : { venue: 'ccxt', exchange: choice };
}

/** The variables the host reads an exchange's credentials from, for `id` (or for every id, as `<ID>`). */
function variablesOf(
  shelf: ExchangeShelf,
  id?: string,
): { apiKey: string; secret: string; password: string } {
  const named = (name: string) => (id === undefined ? name : name.replace('<ID>', id.toUpperCase()));
  const { apiKey, secret, password } = shelf.variables;
  return { apiKey: named(apiKey), secret: named(secret), password: named(password) };
}

/**
 * The listed exchanges as Venue choices, one the host says a session cannot trade on shown but not choosable.
 * A chosen exchange the last listing no longer has stays, not choosable, so the select never claims another.
 */
export function exchangeChoices(shelf: ExchangeShelf | null, chosen: string): VenueChoice[] {
  const choices = (shelf?.exchanges ?? []).map(({ id, name, problem }) => ({
    value: id,
    label: problem === undefined ? `${name} testnet` : `${name} testnet — cannot trade: ${cut(problem)}`,
    title:
      problem === undefined
        ? `${name}'s testnet (${id}) through ccxt: the capital is its wallet, the prices are its own`
        : `${name}'s testnet (${id}) cannot be traded: ${problem}`,
    disabled: problem !== undefined,
  }));
  if (!isPaper(chosen) && !shelf?.exchanges.some((exchange) => exchange.id === chosen)) {
    choices.push({
      value: chosen,
      label: `${chosen} — not listed any more`,
      title: `the host holds no credentials for ${chosen} any more`,
      disabled: true,
    });
  }
  return choices;
}

/**
 * What heads the exchanges in the Venue list: where their credentials come from, or with none listed, what to
 * set (the host reads its environment when it starts), or why they could not be listed.
 */
export function exchangesWords(shelf: ExchangeShelf | null, error: string | null): string {
  if (error) return `the exchanges could not be listed: ${error}`;
  if (!shelf) return 'listing the exchanges…';
  const { apiKey, secret, password } = variablesOf(shelf);
  if (shelf.exchanges.length > 0) return `exchange testnets, credentials from ${apiKey} and ${secret}`;
  return (
    `no exchange testnet: start the cockpit with ${apiKey} and ${secret} in its environment ` +
    `(<ID> a ccxt exchange id, e.g. BINANCEUSDM; ${password} too where the exchange asks for a passphrase)`
  );
}

/**
 * The host's refusal of an exchange it holds no credentials for or cannot trade on, as it words them; null for
 * the paper venue, or when the listing is not known (the host judges then).
 */
export function checkExchange(choice: string, shelf: ExchangeShelf | null): Failure | null {
  if (isPaper(choice) || !shelf) return null;
  const listed = shelf.exchanges.find((exchange) => exchange.id === choice);
  if (!listed) {
    const { apiKey, secret } = variablesOf(shelf, choice);
    const message = `exchange: the host holds no credentials for ${choice}: set ${apiKey} and ${secret} in its environment`;
    return { ok: false, error: { code: 'VENUE_REJECTED', field: 'exchange', message } };
  }
  if (listed.problem === undefined) return null;
  const message = `exchange: ${listed.problem}`;
  return { ok: false, error: { code: 'VENUE_REJECTED', field: 'exchange', message } };
}

/** "Binance testnet" for a session on an exchange's testnet; null for a paper session. */
export function exchangeLabel(info: SessionInfo): string | null {
  return info.exchange ? `${info.exchange.name} testnet` : null;
}

/** Where a session traded, in a word or two: "paper", or "Binance testnet". */
export function venueWords(info: SessionInfo): string {
  return exchangeLabel(info) ?? info.venue;
}
