// A running session's risk envelope, strategy and gate refusals in words, for
// the supervisor panel: only the limits that are set, in the units a trader
// reads them in (the drawdown in percent, the TTL in seconds).
import type {
  CommandError,
  GateName,
  PendingIntent,
  RiskEnvelope,
  StrategyConfig,
} from '../../../shared/index.js';
import { compactNumbers, qty } from './format.js';
import { isOutcomeUnknown, outcomeUnknownText } from './outcome.js';

const percent = (fraction: number): string => `${Number((fraction * 100).toPrecision(6))} %`;

/** The limits the gates hold every entry to, one phrase each: "order ≤ 500", "drawdown ≤ 10 %". */
export function limitsSummary(risk: RiskEnvelope): string[] {
  // Limits are round figures: shown as typed, without trailing zeros.
  const parts: string[] = [];
  if (risk.maxOrderNotional !== undefined) parts.push(`order ≤ ${qty(risk.maxOrderNotional)}`);
  if (risk.maxAssetNotional !== undefined) parts.push(`per asset ≤ ${qty(risk.maxAssetNotional)}`);
  if (risk.maxGrossNotional !== undefined) parts.push(`gross ≤ ${qty(risk.maxGrossNotional)}`);
  if (risk.maxDrawdown !== undefined) parts.push(`drawdown ≤ ${percent(risk.maxDrawdown)}`);
  if (risk.shortingDisabled) parts.push('no shorting');
  if (risk.allowedOrderTypes) parts.push(`${risk.allowedOrderTypes.join('/')} only`);
  return parts;
}

/** "breakout (100 an entry)". */
export function strategySummary(strategy: StrategyConfig): string {
  return `${strategy.name} (${qty(strategy.notional)} an entry)`;
}

/** How long an entry waits for the operator: "60 s". */
export function ttlSummary(risk: RiskEnvelope): string {
  return `${Number((risk.supervisorTtlMs / 1000).toPrecision(6))} s`;
}

const GATE_WORDS: Record<GateName, string> = {
  idempotency: 'idempotency',
  static: 'order limits',
  short_side: 'short side',
  position_risk: 'position risk',
  drawdown_halt: 'drawdown halt',
  supervisor: 'supervisor',
};

/**
 * A refusal, with the gate that refused it named first in words when a gate did: "position risk gate: …". The
 * host's message starts with the gate's code name ("position_risk gate: …"); the words replace it.
 */
export function refusalText(error: Pick<CommandError, 'message' | 'gate'>): string {
  const message = compactNumbers(error.message);
  if (!error.gate) return message;
  const prefix = `${error.gate} gate: `;
  const reason = message.startsWith(prefix) ? message.slice(prefix.length) : message;
  return `${GATE_WORDS[error.gate]} gate: ${reason}`;
}

/**
 * A grant or reject that did not go through, in the panel: "Grant SOL/USDT LONG refused: …", or, when a drop cut it
 * off, that it may have gone through.
 */
export function decisionFailure(
  entry: Pick<PendingIntent, 'asset' | 'side'>,
  verb: 'grant' | 'reject',
  error: Pick<CommandError, 'code' | 'message' | 'gate'>,
): string {
  const what = `${verb === 'grant' ? 'Grant' : 'Reject'} ${entry.asset} ${entry.side}`;
  if (isOutcomeUnknown(error)) return `${what}: ${outcomeUnknownText(`intent.${verb}`)}`;
  return `${what} refused: ${refusalText(error)}`;
}
