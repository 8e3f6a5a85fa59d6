import { describe, expect, it, vi } from 'vitest';
import { activation } from './activate.js';

const press = (key: string, target: unknown, row: unknown) => ({
  key,
  target,
  currentTarget: row,
  preventDefault: vi.fn(),
});

describe('a row that opens a lineage', () => {
  it('takes the focus and opens on Enter or Space, as on a click', () => {
    const open = vi.fn();
    const row = {};
    const props = activation(open);
    expect(props.tabIndex).toBe(0);
    const space = press(' ', row, row);
    props.onKeyDown!(press('Enter', row, row));
    props.onKeyDown!(space);
    expect(open).toHaveBeenCalledTimes(2);
    expect(space.preventDefault).toHaveBeenCalled();
    props.onClick!();
    expect(open).toHaveBeenCalledTimes(3);
  });

  it('leaves other keys, and keys on a button inside it, alone', () => {
    const open = vi.fn();
    const row = {};
    const props = activation(open);
    props.onKeyDown!(press('a', row, row));
    props.onKeyDown!(press('Enter', { button: 'Exit' }, row));
    expect(open).not.toHaveBeenCalled();
  });

  it('is not focusable when there is nothing to open', () => {
    expect(activation(null)).toEqual({});
  });
});
