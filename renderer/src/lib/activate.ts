// A row that opens a lineage on a click opens it from the keyboard too: it
// takes the focus (Tab) and opens on Enter or Space, as a button does.

/** The part of a key event this needs (React's KeyboardEvent has it). */
interface KeyPress {
  key: string;
  target: unknown;
  currentTarget: unknown;
  preventDefault(): void;
}

/** The props of an element that runs `open` on a click, Enter or Space; none when there is nothing to open. */
export function activation(open: (() => void) | null): {
  tabIndex?: number;
  onClick?: () => void;
  onKeyDown?: (event: KeyPress) => void;
} {
  if (!open) return {};
  return {
    tabIndex: 0,
    onClick: open,
    onKeyDown: (event) => {
      // A key on a button inside the row is the button's.
      if (event.target !== event.currentTarget) return;
      if (event.key !== 'Enter' && event.key !== ' ') return;
      // Space would scroll the panel.
      event.preventDefault();
      open();
    },
  };
}
