import type { ReactNode } from 'react';

/** A titled panel; without children it is its header alone (a panel collapsed to one line). */
export function Panel(props: {
  title: string;
  extra?: ReactNode;
  className?: string;
  children?: ReactNode;
  testId?: string;
}) {
  return (
    <section className={`panel ${props.className ?? ''}`} data-testid={props.testId}>
      <header className="panel-head">
        <h2>{props.title}</h2>
        {props.extra !== undefined ? <div className="panel-extra">{props.extra}</div> : null}
      </header>
      {props.children !== undefined ? <div className="panel-body">{props.children}</div> : null}
    </section>
  );
}
