// The ticket and session forms → command requests. Numbers are parsed with
// Number() so what the operator typed reaches validation unchanged ("-1" stays
// -1, "NaN" stays NaN); empty optional fields are omitted. The same shared zod
// schema the host uses answers first, because NaN cannot cross JSON (it would
// arrive as null) and the window must name it itself.
import {
  fromZodError,
  IntentRequest,
  SessionStartRequest,
  type CommandRequest,
  type Failure,
} from '../../../shared/index.js';

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
  venue: string;
  seed: string;
  symbols: string;
  capital: string;
  slots: string;
}

export const DEFAULT_SYMBOLS = 'BTC/USDT,ETH/USDT,SOL/USDT';

export type Checked<T> = { ok: true; request: T } | Failure;

function optionalNumber(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text.trim());
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
  if (legs.length > 0) request.exitLegRatios = legs.map((leg) => (leg === '' ? Number.NaN : Number(leg)));
  put(request, 'takeProfit', optionalNumber(form.takeProfit));
  put(request, 'stopLoss', optionalNumber(form.stopLoss));
  return request;
}

/** The request as typed, or the first schema error in words (field and value). */
export function checkIntent(form: TicketForm): Checked<CommandRequest<'intent.submit'>> {
  const request = buildIntentRequest(form);
  const parsed = IntentRequest.safeParse(request);
  if (!parsed.success) return fromZodError(parsed.error, request);
  return { ok: true, request: request as CommandRequest<'intent.submit'> };
}

export function buildSessionRequest(form: SessionForm): Record<string, unknown> {
  const request: Record<string, unknown> = { venue: form.venue };
  const symbols = splitList(form.symbols).filter((s) => s !== '');
  if (symbols.length > 0) request.symbols = symbols;
  put(request, 'seed', optionalNumber(form.seed));
  put(request, 'seedCapital', optionalNumber(form.capital));
  put(request, 'maxSlots', optionalNumber(form.slots));
  return request;
}

export function checkSession(form: SessionForm): Checked<CommandRequest<'session.start'>> {
  const request = buildSessionRequest(form);
  const parsed = SessionStartRequest.safeParse(request);
  if (!parsed.success) return fromZodError(parsed.error, request);
  return { ok: true, request: request as CommandRequest<'session.start'> };
}
