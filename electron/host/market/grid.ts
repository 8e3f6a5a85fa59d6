// A venue's grids: prices on the tick, sizes on the lot step.

export function roundToStep(value: number, step: number): number {
  const decimals = Math.max(0, Math.ceil(-Math.log10(step)) + 1);
  return Number((Math.round(value / step) * step).toFixed(decimals));
}

/** Whether `value` is a whole number of `step`s, as a venue's price and size filters demand. */
export function onGrid(value: number, step: number): boolean {
  return roundToStep(value, step) === value;
}
