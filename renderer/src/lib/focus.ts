// Where keyboard focus goes when a list loses the row that held it: to the row
// now in its place, else the one above, so an operator working down a queue by
// keyboard keeps their place without reaching for the mouse.

/**
 * The row to focus once `gone` left the list, by id: the first row of `after` that came after it in `before`
 * (or is new: rows arrive at the end), else the last row left above it; null when no row is left.
 */
export function focusAfterRemoval(
  before: readonly string[],
  after: readonly string[],
  gone: string,
): string | null {
  const at = before.indexOf(gone);
  const next = after.find((id) => {
    const was = before.indexOf(id);
    return was === -1 || was > at;
  });
  return next ?? after.at(-1) ?? null;
}
