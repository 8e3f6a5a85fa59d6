// The ticket and session forms → command requests. Numbers are read as plain
// decimal text only, so what the operator typed reaches validation unchanged
// ("-1" stays -1) and anything else ("NaN", "0x10", which Number() alone takes
// as 16) becomes NaN; empty optional fields are omitted. The same shared zod
// schema the host uses answers first, because NaN cannot cross JSON (it would
// arrive as null) and the window must name it itself.
import {
  DEFAULT_SYMBOLS as DEFAULT_SYMBOL_LIST,
  describeValue,
  fromZodError,
  IntentRequest,
  OrderType,
  SessionStartRequest,
  type CommandError,
  type CommandRequest,
  type Failure,
} from '../../../shared/index.js';
import { compactNumbers } from './format.js';
import { feedOf, isReplayable, problemOf, SYNTHETIC, type FeedShelf } from './market.js';
import { checkExchange, isPaper, venueRequest, type ExchangeShelf } from './venue.js';

export interface TicketForm {
  asset: string;
  side: string;
  orderType: string;
  size: string;
  limit: string;
  leverage: string;
  legs: string;
  takeProfit: string;
  stopLoss: string;
}

export interface SessionForm {
  /** `PAPER`, or the id of the exchange whose testnet to trade on. */
  venue: string;
  /** `SYNTHETIC`, or the name of the feed file to replay. */
  market: string;
  seed: string;
  /** A replay's speed (×), as typed; empty means the schema's default. */
  speed: string;
  symbols: string;
  capital: string;
  slots: string;
  risk: RiskForm;
}

/**
 * The session form's risk and strategy part. The drawdown is typed in percent and the TTL and the cooldown in
 * seconds, as a trader reads them; the request carries a fraction and milliseconds, as the schema does.
 */
export interface RiskForm {
  /** A built-in strategy's name, or '' for none. */
  strategy: string;
  strategyNotional: string;
  lookbackTicks: string;
  /** Seconds. */
  cooldown: string;
  /** Percent, as the schema has it. */
  takeProfitPct: string;
  /** Percent, as the schema has it. */
  stopLossPct: string;
  supervised: boolean;
  /** Seconds. */
  supervisorTtl: string;
  maxOrderNotional: string;
  maxAssetNotional: string;
  maxGrossNotional: string;
  /** Percent. */
  maxDrawdown: string;
  shortingDisabled: boolean;
  /** The order types entries may use: all of them means not restricted. */
  allowedOrderTypes: readonly OrderType[];
}

/** No strategy, no limits, unsupervised: the session the bar started before it had risk gates. */
export const NO_RISK: RiskForm = {
  strategy: '',
  strategyNotional: '',
  lookbackTicks: '',
  cooldown: '',
  takeProfitPct: '',
  stopLossPct: '',
  supervised: false,
  supervisorTtl: '',
  maxOrderNotional: '',
  maxAssetNotional: '',
  maxGrossNotional: '',
  maxDrawdown: '',
  shortingDisabled: false,
  allowedOrderTypes: OrderType.options,
};

/** Typed units per request unit, for the fields typed in other units than the schema's: percent, seconds. */
const TYPED_UNITS: Readonly<Record<string, number>> = {
  'risk.maxDrawdown': 100,
  'risk.supervisorTtlMs': 0.001,
  'strategy.cooldownMs': 0.001,
};

/** The session form's default symbols, as typed: the paper venue's default session. */
export const DEFAULT_SYMBOLS = DEFAULT_SYMBOL_LIST.join(',');

export type Checked<T> = { ok: true; request: T } | Failure;

/** Digits with at most one point, a leading minus and an exponent allowed: "-1", "0.5", ".5", "1e6". */
const DECIMAL = /^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** A number as typed, or NaN when the text is not plain decimal (for the schema to refuse by name). */
function typedNumber(text: string): number {
  const trimmed = text.trim();
  return DECIMAL.test(trimmed) ? Number(trimmed) : Number.NaN;
}

function optionalNumber(text: string): number | undefined {
  return text.trim() === '' ? undefined : typedNumber(text);
}

function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

/** Comma-separated list; blank entries between commas are kept so they fail validation by name. */
export function splitList(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  return trimmed.split(',').map((part) => part.trim());
}

export function buildIntentRequest(form: TicketForm): Record<string, unknown> {
  const request: Record<string, unknown> = {
    asset: form.asset.trim(),
    side: form.side,
    orderType: form.orderType,
  };
  put(request, 'targetSize', optionalNumber(form.size));
  // The limit field is the LIMIT order's; a MARKET ticket leaves it out, whatever it still holds.
  if (form.orderType !== 'MARKET') put(request, 'limitPrice', optionalNumber(form.limit));
  put(request, 'leverage', optionalNumber(form.leverage));
  const legs = splitList(form.legs);
  if (legs.length > 0) request.exitLegRatios = legs.map(typedNumber);
  put(request, 'takeProfit', optionalNumber(form.takeProfit));
  put(request, 'stopLoss', optionalNumber(form.stopLoss));
  return request;
}

/** The request as typed, or the first schema error in words (field and value). */
export function checkIntent(form: TicketForm): Checked<CommandRequest<'intent.submit'>> {
  const request = buildIntentRequest(form);
  const parsed = IntentRequest.safeParse(request);
  if (!parsed.success) return explained(fromZodError(parsed.error, request), intentWords(form));
  return { ok: true, request: request as CommandRequest<'intent.submit'> };
}

/** Symbols as a trader types them: separated by commas, spaces, or both. */
export function splitSymbols(text: string): string[] {
  return text.split(/[\s,]+/).filter((symbol) => symbol !== '');
}

/**
 * session.start for either venue. An exchange's testnet has its own prices, pace and wallet: the market, the seed
 * and the capital are the paper venue's only, left out (the host refuses them), whatever their fields still hold.
 */
export function buildSessionRequest(form: SessionForm): Record<string, unknown> {
  const request: Record<string, unknown> = venueRequest(form.venue);
  const symbols = splitSymbols(form.symbols);
  if (symbols.length > 0) request.symbols = symbols;
  if (isPaper(form.venue)) {
    // A replay's prices and their pace come from its file: the seed is the synthetic walk's, left out.
    if (form.market === SYNTHETIC) put(request, 'seed', optionalNumber(form.seed));
    else request.market = buildReplayRequest(form);
    put(request, 'seedCapital', optionalNumber(form.capital));
  }
  put(request, 'maxSlots', optionalNumber(form.slots));
  return { ...request, ...buildRiskRequest(form.risk) };
}

/** `market` of session.start for a replay; an empty speed is left out, so the schema's default holds. */
function buildReplayRequest(form: SessionForm): Record<string, unknown> {
  const market: Record<string, unknown> = { kind: 'replay', feed: form.market };
  put(market, 'speed', optionalNumber(form.speed));
  return market;
}

/** A number typed in other units than the request's: the drawdown in percent, the TTL and the cooldown in seconds. */
function inRequestUnits(text: string, field: string): number | undefined {
  const typed = optionalNumber(text);
  return typed === undefined ? undefined : typed / (TYPED_UNITS[field] ?? 1);
}

/** Seconds as whole milliseconds: 1.1 s must not be refused as 1100.0000000000002 ms. */
function wholeMs(text: string, field: string): number | undefined {
  const ms = inRequestUnits(text, field);
  return ms === undefined ? undefined : Math.round(ms);
}

/** `risk` and `strategy` of session.start; each left out when nothing in it was set, so the schema's defaults hold. */
export function buildRiskRequest(form: RiskForm): Record<string, unknown> {
  const risk: Record<string, unknown> = {};
  put(risk, 'maxOrderNotional', optionalNumber(form.maxOrderNotional));
  put(risk, 'maxAssetNotional', optionalNumber(form.maxAssetNotional));
  put(risk, 'maxGrossNotional', optionalNumber(form.maxGrossNotional));
  put(risk, 'maxDrawdown', inRequestUnits(form.maxDrawdown, 'risk.maxDrawdown'));
  if (form.shortingDisabled) risk.shortingDisabled = true;
  // Every type checked is no restriction; none checked is sent, for the schema to refuse by name.
  if (!OrderType.options.every((type) => form.allowedOrderTypes.includes(type)))
    risk.allowedOrderTypes = OrderType.options.filter((type) => form.allowedOrderTypes.includes(type));
  if (form.supervised) {
    risk.supervised = true;
    // The TTL is the supervisor's: unsupervised, whatever the field still holds is left out.
    put(risk, 'supervisorTtlMs', wholeMs(form.supervisorTtl, 'risk.supervisorTtlMs'));
  }
  const request: Record<string, unknown> = {};
  if (Object.keys(risk).length > 0) request.risk = risk;
  if (form.strategy !== '') {
    const strategy: Record<string, unknown> = { name: form.strategy };
    put(strategy, 'notional', optionalNumber(form.strategyNotional));
    put(strategy, 'lookbackTicks', optionalNumber(form.lookbackTicks));
    put(strategy, 'cooldownMs', wholeMs(form.cooldown, 'strategy.cooldownMs'));
    put(strategy, 'takeProfitPct', optionalNumber(form.takeProfitPct));
    put(strategy, 'stopLossPct', optionalNumber(form.stopLossPct));
    request.strategy = strategy;
  }
  return request;
}

/**
 * The request as typed, or the first refusal in words. With the host's feed listing (`shelf`), a replay is also
 * held to what the host would refuse: a feed that is gone or cannot be replayed, a symbol the feed has no prices of.
 * With its exchange listing (`exchanges`), so is an exchange it holds no credentials for or cannot trade on.
 */
export function checkSession(
  form: SessionForm,
  shelf: FeedShelf | null = null,
  exchanges: ExchangeShelf | null = null,
): Checked<CommandRequest<'session.start'>> {
  const request = buildSessionRequest(form);
  const parsed = SessionStartRequest.safeParse(request);
  if (!parsed.success) return explained(fromZodError(parsed.error, request), sessionWords(form));
  const refused = !isPaper(form.venue)
    ? checkExchange(form.venue, exchanges)
    : form.market === SYNTHETIC
      ? null
      : checkReplay(form.market, parsed.data.symbols, shelf);
  if (refused) return explained(refused, sessionWords(form));
  return { ok: true, request: request as CommandRequest<'session.start'> };
}

/** The host's refusals of a replay, as it words them; null when the listing is not known (the host judges then). */
function checkReplay(
  name: string,
  symbols: readonly string[] | undefined,
  shelf: FeedShelf | null,
): Failure | null {
  if (!shelf) return null;
  const feed = feedOf(shelf, name);
  if (!feed) {
    const message = `market.feed: no feed ${describeValue(name)} in ${shelf.folder}`;
    return { ok: false, error: { code: 'NOT_FOUND', field: 'market.feed', message } };
  }
  if (!isReplayable(feed)) {
    const message = `market.feed: ${name} cannot be replayed: ${problemOf(feed)}`;
    return { ok: false, error: { code: 'INVALID_REQUEST', field: 'market.feed', message } };
  }
  // No symbols typed: the host takes the feed's own.
  const wanted = symbols ?? [];
  const has = feed.contents.symbols;
  const index = wanted.findIndex((symbol) => !has.includes(symbol));
  if (index < 0) return null;
  const field = `symbols.${index}`;
  const message = `${field}: ${name} has no prices of ${wanted[index]} (it has ${has.join(', ')})`;
  return { ok: false, error: { code: 'UNKNOWN_ASSET', field, message } };
}

// ---------------------------------------------------------------------------
// Errors in the form's words

/**
 * How a form names its fields and what was typed in them. `labels` maps a
 * request field to the form's label; `typed` holds the text of the fields
 * read as numbers, by request field ("exitLegRatios.1" for a leg).
 */
export interface FormWords {
  labels: Readonly<Record<string, string>>;
  typed: Readonly<Record<string, string>>;
  /** Typed units per request unit of the fields typed in other units (percent, seconds): bounds are said in those. */
  units?: Readonly<Record<string, number>>;
}

/** The ticket's label of each request field: what the ticket shows and what its errors say. */
export const TICKET_LABELS = {
  asset: 'asset',
  side: 'side',
  orderType: 'type',
  targetSize: 'size',
  limitPrice: 'limit price',
  leverage: 'leverage',
  exitLegRatios: 'exit legs',
  takeProfit: 'take profit',
  stopLoss: 'stop loss',
} as const;

/** The session form's label of each request field: what the top bar shows and what its errors say. */
export const SESSION_LABELS = {
  venue: 'venue',
  exchange: 'venue',
  market: 'market',
  'market.feed': 'market',
  'market.speed': 'speed',
  seed: 'seed',
  symbols: 'symbols',
  seedCapital: 'capital',
  maxSlots: 'slots',
  'strategy.name': 'strategy',
  'strategy.notional': 'strategy notional',
  'strategy.lookbackTicks': 'lookback ticks',
  'strategy.cooldownMs': 'cooldown seconds',
  'strategy.takeProfitPct': 'take profit %',
  'strategy.stopLossPct': 'stop loss %',
  'risk.supervised': 'supervised',
  'risk.supervisorTtlMs': 'TTL seconds',
  'risk.maxOrderNotional': 'max order notional',
  'risk.maxAssetNotional': 'max asset notional',
  'risk.maxGrossNotional': 'max gross notional',
  'risk.maxDrawdown': 'max drawdown %',
  'risk.shortingDisabled': 'no shorting',
  'risk.allowedOrderTypes': 'order types',
} as const;

/** Whether a refused field is one of the session form's "Risk & strategy" fields (to open them and show it). */
export function isRiskField(field: string | undefined): boolean {
  return field !== undefined && /^(risk|strategy)\./.test(field);
}

export function intentWords(form: TicketForm): FormWords {
  const typed: Record<string, string> = {
    targetSize: form.size,
    leverage: form.leverage,
    takeProfit: form.takeProfit,
    stopLoss: form.stopLoss,
  };
  if (form.orderType !== 'MARKET') typed.limitPrice = form.limit;
  splitList(form.legs).forEach((leg, i) => (typed[`exitLegRatios.${i}`] = leg));
  return { labels: TICKET_LABELS, typed };
}

export function sessionWords(form: SessionForm): FormWords {
  const { risk } = form;
  const typed: Record<string, string> = {
    maxSlots: form.slots,
    'risk.maxOrderNotional': risk.maxOrderNotional,
    'risk.maxAssetNotional': risk.maxAssetNotional,
    'risk.maxGrossNotional': risk.maxGrossNotional,
    'risk.maxDrawdown': risk.maxDrawdown,
  };
  // Only the fields the request carries: the paper venue its capital, and a replay its speed or the synthetic
  // walk its seed; an exchange none of them.
  if (isPaper(form.venue)) {
    typed.seedCapital = form.capital;
    if (form.market === SYNTHETIC) typed.seed = form.seed;
    else typed['market.speed'] = form.speed;
  }
  if (risk.supervised) typed['risk.supervisorTtlMs'] = risk.supervisorTtl;
  if (risk.strategy !== '') {
    typed['strategy.notional'] = risk.strategyNotional;
    typed['strategy.lookbackTicks'] = risk.lookbackTicks;
    typed['strategy.cooldownMs'] = risk.cooldown;
    typed['strategy.takeProfitPct'] = risk.takeProfitPct;
    typed['strategy.stopLossPct'] = risk.stopLossPct;
  }
  return { labels: SESSION_LABELS, typed, units: TYPED_UNITS };
}

/** zod's wording → the ticket's. Unknown wording passes unchanged. */
const REWORDINGS: ReadonlyArray<[RegExp, string]> = [
  [/^Invalid input: expected number, received NaN/, 'is not a number'],
  [/^Invalid input: expected number, received -?Infinity/, 'is not a finite number'],
  [/^Invalid input: expected int, received number/, 'must be a whole number'],
  [/^Too small: expected number to be >=(\S+)/, 'must be at least $1'],
  [/^Too small: expected number to be >(\S+)/, 'must be greater than $1'],
  [/^Too big: expected number to be <=(\S+)/, 'must be at most $1'],
  [/^Too big: expected number to be <(\S+)/, 'must be less than $1'],
  // An empty list says so, not "[]" (the order types with none checked).
  [/^Too small: expected array to have >=(\d+) items? \(got \[\]\)$/, 'needs at least $1 (got none)'],
  [/^Too small: expected array to have >=(\d+) items?/, 'needs at least $1'],
  [/^Too big: expected array to have <=(\d+) items?/, 'takes at most $1'],
  [/^Too big: expected string to have <=(\d+) characters?/, 'is longer than $1 characters'],
  [/^Too small: expected string to have >=(\d+) characters?/, 'needs at least $1 characters'],
  [/^Invalid option: expected one of (.*?)(?= \(got|$)/, 'must be one of $1'],
  [/^exit leg ratios must sum to 1/, 'ratios must sum to 1'],
];

/** A bound in the reworded message ("must be less than 1"), to say in the typed units ("less than 100"). */
const BOUND = /^(must be (?:at least|at most|greater than|less than) )(-?\d[\d.]*(?:e[+-]?\d+)?)/;

function inTypedUnits(bound: string, unit: number): string {
  return String(Number((Number(bound) * unit).toPrecision(12)));
}

const shown = (text: string): string => (text.length > 24 ? `${text.slice(0, 24)}…` : text);

/**
 * A refusal in the form's words: the label the operator sees, the request
 * field in parentheses (what the host and the journal call it), and what was
 * typed: `size (targetSize): "abc" is not a number`, `size (targetSize): must be
 * greater than 0 (got -1)`. Works on the window's own check and on the host's
 * answer alike (both start the message with `field: `). Long numbers are
 * shown compactly.
 */
export function explainError(error: Pick<CommandError, 'message' | 'field'>, words: FormWords): string {
  const field = error.field;
  if (!field) return compactNumbers(error.message);
  let body = error.message.startsWith(`${field}: `) ? error.message.slice(field.length + 2) : error.message;
  const [root = field, index] = field.split('.');
  // A nested field with a label of its own ("risk.maxDrawdown"), else an item of a list ("symbols.1").
  const whole = words.labels[field];
  const base = whole ?? words.labels[root];
  const item =
    whole === undefined && index !== undefined && /^\d+$/.test(index) ? ` #${Number(index) + 1}` : '';
  const label = base === undefined ? field : `${base}${item}`;
  const named = label === field ? field : `${label} (${field})`;

  const typed = words.typed[field]?.trim();
  const value = typed === undefined || typed === '' ? undefined : typedNumber(typed);
  if (typed === '' && index !== undefined) {
    body = 'is empty';
  } else if (typed !== undefined && value !== undefined && Number.isNaN(value)) {
    body = `${JSON.stringify(shown(typed))} is not a number`;
  } else if (typed !== undefined && value !== undefined && !Number.isFinite(value)) {
    body = `${JSON.stringify(shown(typed))} is too large`;
  } else {
    for (const [pattern, plain] of REWORDINGS) {
      if (pattern.test(body)) {
        body = body.replace(pattern, plain);
        break;
      }
    }
    const unit = words.units?.[field];
    if (unit !== undefined)
      body = body.replace(BOUND, (_, rule: string, bound: string) => `${rule}${inTypedUnits(bound, unit)}`);
    // Echo what was typed ("1e300"), not the number it became.
    if (typed) body = body.replace(/\(got [^()]*\)$/, `(got ${shown(typed)})`);
  }
  return `${named}: ${compactNumbers(body)}`;
}

function explained(failure: Failure, words: FormWords): Failure {
  return { ok: false, error: { ...failure.error, message: explainError(failure.error, words) } };
}
