// What a lineage node says on the graph. An order says what it is, not what it
// is called: side, size, type and limit price ("BUY 0.5 LIMIT @ 1600.08"),
// then how much of it filled and at what average; its client order id is in
// the details. An intent held for the operator says until when; a refused
// one names the gate and its reason. Other nodes keep the host's label.
import type { LineageNode } from '../../../shared/index.js';
import { clock, money, price, qty } from './format.js';
import { payloadNumber as num, payloadString as str } from '../../../shared/index.js';

export interface NodeText {
  label: string;
  /** A second, quieter line (fills of an order, PnL of a trade). */
  detail?: string;
}

function lastNumber(node: LineageNode, key: string): number | undefined {
  for (let i = node.events.length - 1; i >= 0; i--) {
    const value = num(node.events[i]!.payload[key]);
    if (value !== undefined) return value;
  }
  return undefined;
}

function orderText(node: LineageNode): NodeText {
  const requested = node.events.find((e) => e.type === 'OrderRequested')?.payload;
  if (!requested) return { label: node.label };
  const asset = str(requested.asset);
  const side = str(requested.orderSide) ?? str(requested.side);
  const size = num(requested.size);
  const type = str(requested.orderType);
  const limit = type === 'LIMIT' ? num(requested.price) : undefined;
  const parts = [
    side,
    size !== undefined ? qty(size) : undefined,
    type,
    limit !== undefined ? `@ ${price(limit, asset)}` : undefined,
    requested.reduceOnly === true ? 'RO' : undefined,
  ];
  const label = parts.filter((part) => part !== undefined).join(' ');
  const filled = lastNumber(node, 'filledSize');
  const avg = lastNumber(node, 'avgPrice');
  if (filled === undefined || filled <= 0) return { label: label || node.label };
  const of = size !== undefined && filled < size ? `/${qty(size)}` : '';
  const at = avg !== undefined ? ` @ ${price(avg, asset)}` : '';
  return { label: label || node.label, detail: `filled ${qty(filled)}${of}${at}` };
}

function tradeText(node: LineageNode): NodeText {
  const realized = lastNumber(node, 'realizedPnl');
  // An open trade that has realized nothing yet has nothing to add.
  return realized === undefined || (realized === 0 && node.state !== 'CLOSED')
    ? { label: node.label }
    : { label: node.label, detail: `realized ${realized >= 0 ? '+' : ''}${money(realized)}` };
}

function intentText(node: LineageNode): NodeText {
  const last = node.events[node.events.length - 1]?.payload;
  if (node.state === 'AWAITING') {
    const expiresAt = num(last?.expiresAt);
    return {
      label: node.label,
      detail: expiresAt === undefined ? 'awaiting grant' : `awaiting grant until ${clock(expiresAt)}`,
    };
  }
  const gate = str(last?.gate);
  if (node.state !== 'REJECTED' || !gate) return { label: node.label };
  const reason = str(last?.reason);
  return { label: node.label, detail: reason ? `${gate}: ${reason}` : gate };
}

export function nodeText(node: LineageNode): NodeText {
  if (node.kind === 'order') return orderText(node);
  if (node.kind === 'trade') return tradeText(node);
  if (node.kind === 'intent') return intentText(node);
  return { label: node.label };
}
