// The session form's "Risk & strategy" disclosure: a built-in strategy and its
// parameters, the supervisor, and the limits the gates hold every entry to.
// Closed, it says in a few words what is set, so the bar stays one line; open,
// it drops below the bar. Esc or a click elsewhere closes it.
import { useEffect, useId, useRef } from 'react';
import { OrderType, RiskEnvelope, StrategyConfig, StrategyName } from '../../../shared/index.js';
import { SESSION_LABELS, type RiskForm } from '../lib/ticket.js';
import { Field } from './Field.js';

// The schema's defaults, shown as placeholders: an empty field sends nothing and the default holds.
const STRATEGY_DEFAULTS = StrategyConfig.parse({ name: StrategyName.options[0] });
const DEFAULT_TTL_SECONDS = RiskEnvelope.parse({}).supervisorTtlMs / 1000;

/** The strategy's parameters, shown only once one is chosen; the cooldown typed in seconds, as its label says. */
const STRATEGY_FIELDS = [
  {
    key: 'lookbackTicks',
    label: 'strategy.lookbackTicks',
    testId: 'session-strategy-lookback',
    placeholder: STRATEGY_DEFAULTS.lookbackTicks,
    title: 'a new high (low) over this many marks proposes a LONG (SHORT) entry',
  },
  {
    key: 'cooldown',
    label: 'strategy.cooldownMs',
    testId: 'session-strategy-cooldown',
    placeholder: STRATEGY_DEFAULTS.cooldownMs / 1000,
    title: "the least time between two of the strategy's entries in one asset, in seconds",
  },
  {
    key: 'takeProfitPct',
    label: 'strategy.takeProfitPct',
    testId: 'session-strategy-take-profit',
    placeholder: STRATEGY_DEFAULTS.takeProfitPct,
    title: 'how far from the entry price its take-profit is, in percent',
  },
  {
    key: 'stopLossPct',
    label: 'strategy.stopLossPct',
    testId: 'session-strategy-stop-loss',
    placeholder: STRATEGY_DEFAULTS.stopLossPct,
    title: 'how far from the entry price its stop-loss is, in percent',
  },
] as const satisfies readonly {
  key: keyof RiskForm;
  label: keyof typeof SESSION_LABELS;
  testId: string;
  placeholder: number;
  title: string;
}[];

/** Every order type allowed: entries are not restricted to some. */
const unrestricted = (form: RiskForm): boolean =>
  OrderType.options.every((type) => form.allowedOrderTypes.includes(type));

/** The limits typed as numbers, with the schema field each one's errors name. */
const LIMIT_FIELDS = [
  {
    key: 'maxOrderNotional',
    label: 'risk.maxOrderNotional',
    testId: 'session-max-order-notional',
    title: 'the most one entry may be worth',
  },
  {
    key: 'maxAssetNotional',
    label: 'risk.maxAssetNotional',
    testId: 'session-max-asset-notional',
    title: 'the most the positions and working entries in one asset may be worth',
  },
  {
    key: 'maxGrossNotional',
    label: 'risk.maxGrossNotional',
    testId: 'session-max-gross-notional',
    title: 'the most all positions and working entries together may be worth',
  },
  {
    key: 'maxDrawdown',
    label: 'risk.maxDrawdown',
    testId: 'session-max-drawdown',
    title: 'entries are refused once equity is this many percent below its session peak',
  },
] as const satisfies readonly {
  key: keyof RiskForm;
  label: keyof typeof SESSION_LABELS;
  testId: string;
  title: string;
}[];

/** What is set, in a few words: "breakout · supervised · 2 limits", or "none". */
function setSummary(form: RiskForm): string {
  const typed = LIMIT_FIELDS.map(({ key }) => form[key]);
  const limits =
    typed.filter((text) => text.trim() !== '').length +
    (form.shortingDisabled ? 1 : 0) +
    (unrestricted(form) ? 0 : 1);
  const parts = [
    form.strategy,
    form.supervised ? 'supervised' : '',
    limits ? `${limits} limit${limits > 1 ? 's' : ''}` : '',
  ].filter((part) => part !== '');
  return parts.length ? parts.join(' · ') : 'none';
}

export function RiskFields(props: {
  form: RiskForm;
  onChange: (form: RiskForm) => void;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const { form, onChange, open, onOpenChange } = props;
  const details = useRef<HTMLDetailsElement>(null);
  const set = <K extends keyof RiskForm>(key: K, value: RiskForm[K]) => onChange({ ...form, [key]: value });
  const orderTypesLabel = useId();
  // Kept in the schema's order, whichever was clicked first.
  const allow = (type: OrderType, checked: boolean) =>
    set(
      'allowedOrderTypes',
      OrderType.options.filter((t) => (t === type ? checked : form.allowedOrderTypes.includes(t))),
    );

  useEffect(() => {
    if (!open) return;
    const onPointerDown = (event: PointerEvent) => {
      if (!details.current?.contains(event.target as Node)) onOpenChange(false);
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      // Focus inside the closing box would be lost: it goes back to the toggle.
      if (details.current?.contains(document.activeElement))
        details.current.querySelector('summary')?.focus();
      onOpenChange(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    document.addEventListener('keydown', onKeyDown);
    return () => {
      document.removeEventListener('pointerdown', onPointerDown);
      document.removeEventListener('keydown', onKeyDown);
    };
  }, [open, onOpenChange]);

  const summary = setSummary(form);
  return (
    <details
      ref={details}
      className="risk-fields"
      open={open}
      onToggle={(e) => onOpenChange(e.currentTarget.open)}
    >
      <summary className="btn risk-toggle" data-testid="session-risk" title={`risk & strategy: ${summary}`}>
        Risk &amp; strategy <span className="risk-set">{summary}</span>
      </summary>
      <div className="risk-pop" data-testid="session-risk-fields">
        <Field label={SESSION_LABELS['strategy.name']}>
          <select
            data-testid="session-strategy"
            value={form.strategy}
            onChange={(e) => set('strategy', e.target.value)}
          >
            <option value="">none</option>
            {StrategyName.options.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </Field>
        <Field label={SESSION_LABELS['strategy.notional']} className={form.strategy ? '' : 'dim'}>
          <NumberInput
            testId="session-strategy-notional"
            value={form.strategyNotional}
            placeholder={String(STRATEGY_DEFAULTS.notional)}
            title="what each of the strategy's entries is worth, in quote currency"
            onChange={(text) => set('strategyNotional', text)}
          />
        </Field>
        {form.strategy
          ? STRATEGY_FIELDS.map(({ key, label, testId, placeholder, title }) => (
              <Field key={key} label={SESSION_LABELS[label]}>
                <NumberInput
                  testId={testId}
                  value={form[key]}
                  placeholder={String(placeholder)}
                  title={title}
                  onChange={(text) => set(key, text)}
                />
              </Field>
            ))
          : null}
        <Check
          label={SESSION_LABELS['risk.supervised']}
          testId="session-supervised"
          checked={form.supervised}
          title="a strategy's entries wait for you to grant or reject them"
          onChange={(checked) => set('supervised', checked)}
        />
        <Field label={SESSION_LABELS['risk.supervisorTtlMs']} className={form.supervised ? '' : 'dim'}>
          <NumberInput
            testId="session-supervisor-ttl"
            value={form.supervisorTtl}
            placeholder={String(DEFAULT_TTL_SECONDS)}
            title="how long an entry waits for your grant before it expires"
            onChange={(text) => set('supervisorTtl', text)}
          />
        </Field>
        {LIMIT_FIELDS.map(({ key, label, testId, title }) => (
          <Field key={key} label={SESSION_LABELS[label]}>
            <NumberInput
              testId={testId}
              value={form[key]}
              title={title}
              onChange={(text) => set(key, text)}
            />
          </Field>
        ))}
        <Check
          label={SESSION_LABELS['risk.shortingDisabled']}
          testId="session-shorting-disabled"
          checked={form.shortingDisabled}
          title="SHORT entries are refused"
          onChange={(checked) => set('shortingDisabled', checked)}
        />
        <div
          className="risk-order-types"
          role="group"
          aria-labelledby={orderTypesLabel}
          data-testid="session-order-types"
          title="the order types entries may use: all checked, they are not restricted"
        >
          <span id={orderTypesLabel}>{SESSION_LABELS['risk.allowedOrderTypes']}</span>
          {OrderType.options.map((type) => (
            <Check
              key={type}
              label={type}
              testId={`session-order-type-${type.toLowerCase()}`}
              checked={form.allowedOrderTypes.includes(type)}
              title={`unchecked, ${type} entries are refused`}
              onChange={(checked) => allow(type, checked)}
            />
          ))}
        </div>
      </div>
    </details>
  );
}

/** An optional number as typed: empty means "not set". */
function NumberInput(props: {
  testId: string;
  value: string;
  placeholder?: string;
  title: string;
  onChange: (text: string) => void;
}) {
  return (
    <input
      data-testid={props.testId}
      className="w-num"
      inputMode="decimal"
      value={props.value}
      placeholder={props.placeholder ?? 'none'}
      title={props.title}
      onChange={(e) => props.onChange(e.target.value)}
    />
  );
}

function Check(props: {
  label: string;
  testId: string;
  checked: boolean;
  title: string;
  onChange: (checked: boolean) => void;
}) {
  return (
    <label className="check" title={props.title}>
      <input
        type="checkbox"
        data-testid={props.testId}
        checked={props.checked}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      {props.label}
    </label>
  );
}
