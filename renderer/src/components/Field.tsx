// One labelled control of a form (the session bar, the intent ticket): the label
// wraps its control, so clicking the words focuses it and it is named by them.
import type { ReactNode } from 'react';

export function Field(props: { label: string; className?: string; children: ReactNode }) {
  return (
    <label className={props.className}>
      {props.label}
      {props.children}
    </label>
  );
}
