// A venue's grids: prices on the tick, sizes on the lot step.

export function roundToStep(value: number, step: number): number {
  const decimals = Math.max(0, Math.ceil(-Math.log10(step)) + 1);
  return Number((Math.round(value / step) * step).toFixed(decimals));
}

/** Whether `value` is a whole number of `step`s, as a venue's price and size filters demand. */
export function onGrid(value: number, step: number): boolean {
  return roundToStep(value, step) === value;
}

/**
 * Why a venue refuses an order off its grid for the symbol (a size off the lot step, a limit price off the
 * tick), in its words; undefined when the order is on it. A venue refuses such an order; it never rounds it
 * (the kernel would count what was not ordered).
 */
export function offGridRefusal(
  order: { size: number; orderType: 'MARKET' | 'LIMIT'; limitPrice?: number | null },
  grid: { lotStep: number; tickSize: number },
  where: { venue: string; symbol: string },
): string | undefined {
  if (!onGrid(order.size, grid.lotStep)) {
    return `size ${order.size} is not a multiple of ${where.venue}'s lot step ${grid.lotStep} for ${where.symbol}`;
  }
  const price = order.limitPrice;
  if (order.orderType === 'LIMIT' && price != null && !onGrid(price, grid.tickSize)) {
    return `limit price ${price} is off ${where.venue}'s tick ${grid.tickSize} for ${where.symbol}`;
  }
  return undefined;
}
