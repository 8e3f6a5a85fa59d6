// The pre-trade risk gates (seed 002's PRM): structural plug-ins, each a name
// and a check of one intent against the session's envelope and what the
// session holds now. A refusal names its gate and says why in words.
import type { GateName, IntentAction, OrderType, RiskEnvelope, TradeSide } from '../../../shared/index.js';

/** What a gate sees of an intent. */
export interface GateIntent {
  intentId: string;
  action: IntentAction;
  asset: string;
  side: TradeSide;
  orderType: OrderType;
  targetSize: number;
  /** What one unit is valued at: `entryPrice` of the host's mark, never a price the caller chose. */
  price: number;
}

/**
 * The price an entry is valued at, from the host's own mark: a market entry fills at about the mark; a buy
 * limit fills at its limit or lower; a sell limit at its limit or higher, so at the mark when it is marketable.
 */
export function entryPrice(
  order: { side: TradeSide; limitPrice?: number | undefined },
  mark: number,
): number {
  if (order.limitPrice === undefined) return mark;
  return order.side === 'LONG' ? order.limitPrice : Math.max(order.limitPrice, mark);
}

/** What the session holds when the gates run; each part is read only if a gate asks for it. */
export interface GateContext {
  /** Whether the session has seen this intent id (within its idempotency window). */
  seen(intentId: string): boolean;
  /** Notional of the open positions and the unfilled part of working entries, per asset. */
  exposure(): ReadonlyMap<string, number>;
  equity(): number;
  /** The highest equity seen this session. */
  peakEquity(): number;
}

export type GateVerdict = { pass: true } | { pass: false; reason: string; field?: string };

export interface RiskGate {
  readonly name: GateName;
  check(intent: GateIntent, envelope: RiskEnvelope, context: GateContext): GateVerdict;
}

const PASS: GateVerdict = { pass: true };

/** A check that only entries must pass: exits and cancels reduce exposure, so no limit may hold them back. */
function onEntries(check: RiskGate['check']): RiskGate['check'] {
  return (intent, envelope, context) => (intent.action === 'ENTER' ? check(intent, envelope, context) : PASS);
}

/** Money in the operator's words: 1 234.5 USDT. */
function quote(amount: number): string {
  return `${amount.toLocaleString('en-US', { maximumFractionDigits: 2 })} USDT`;
}

export const idempotencyGate: RiskGate = {
  name: 'idempotency',
  check: (intent, _envelope, context) =>
    context.seen(intent.intentId)
      ? {
          pass: false,
          field: 'intentId',
          reason: `intent ${intent.intentId} was already submitted in this session`,
        }
      : PASS,
};

export const staticGate: RiskGate = {
  name: 'static',
  check: onEntries((intent, envelope) => {
    const allowed = envelope.allowedOrderTypes;
    if (allowed && !allowed.includes(intent.orderType)) {
      return {
        pass: false,
        field: 'orderType',
        reason: `${intent.orderType} entries are not allowed (allowed: ${allowed.join(', ')})`,
      };
    }
    const notional = intent.targetSize * intent.price;
    if (envelope.maxOrderNotional !== undefined && notional > envelope.maxOrderNotional) {
      return {
        pass: false,
        field: 'targetSize',
        reason: `the entry is worth ${quote(notional)}, over the ${quote(envelope.maxOrderNotional)} a single order may be`,
      };
    }
    return PASS;
  }),
};

export const shortSideGate: RiskGate = {
  name: 'short_side',
  check: onEntries((intent, envelope) =>
    envelope.shortingDisabled && intent.side === 'SHORT'
      ? { pass: false, field: 'side', reason: 'shorting is disabled in this session' }
      : PASS,
  ),
};

export const positionRiskGate: RiskGate = {
  name: 'position_risk',
  check: onEntries((intent, envelope, context) => {
    const { maxAssetNotional, maxGrossNotional } = envelope;
    if (maxAssetNotional === undefined && maxGrossNotional === undefined) return PASS;
    const exposure = context.exposure();
    const notional = intent.targetSize * intent.price;
    const inAsset = (exposure.get(intent.asset) ?? 0) + notional;
    if (maxAssetNotional !== undefined && inAsset > maxAssetNotional) {
      return {
        pass: false,
        field: 'targetSize',
        reason: `${intent.asset} would carry ${quote(inAsset)}, over its ${quote(maxAssetNotional)} cap`,
      };
    }
    let gross = notional;
    for (const value of exposure.values()) gross += value;
    if (maxGrossNotional !== undefined && gross > maxGrossNotional) {
      return {
        pass: false,
        field: 'targetSize',
        reason: `the session would carry ${quote(gross)} in all, over its ${quote(maxGrossNotional)} cap`,
      };
    }
    return PASS;
  }),
};

export const drawdownHaltGate: RiskGate = {
  name: 'drawdown_halt',
  check: onEntries((_intent, envelope, context) => {
    if (envelope.maxDrawdown === undefined) return PASS;
    const peak = context.peakEquity();
    const equity = context.equity();
    const drawdown = peak > 0 ? (peak - equity) / peak : 0;
    if (drawdown < envelope.maxDrawdown) return PASS;
    const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
    return {
      pass: false,
      reason: `entries are halted: equity ${quote(equity)} is ${pct(drawdown)} below its peak ${quote(peak)} (limit ${pct(envelope.maxDrawdown)})`,
    };
  }),
};

/** Every intent passes these, in this order (the supervisor, last, is the intent desk's hold: supervisor.ts). */
export const BUILT_IN_GATES: readonly RiskGate[] = [
  idempotencyGate,
  staticGate,
  shortSideGate,
  positionRiskGate,
  drawdownHaltGate,
];

export type GateRun =
  { pass: true; passed: GateName[] } | { pass: false; gate: GateName; reason: string; field?: string };

/** Runs the gates in order; the first refusal ends the run. */
export function runGates(
  gates: readonly RiskGate[],
  intent: GateIntent,
  envelope: RiskEnvelope,
  context: GateContext,
): GateRun {
  const passed: GateName[] = [];
  for (const gate of gates) {
    const verdict = gate.check(intent, envelope, context);
    if (!verdict.pass) {
      return {
        pass: false,
        gate: gate.name,
        reason: verdict.reason,
        ...(verdict.field ? { field: verdict.field } : {}),
      };
    }
    passed.push(gate.name);
  }
  return { pass: true, passed };
}
