// Colour by state, for lineage nodes and state badges: working = amber,
// awaiting the operator = amber, held (dashed), filled/open = blue, closed =
// green (red when the trade lost), canceled = grey, rejected = red.

export type Tone =
  'working' | 'awaiting' | 'active' | 'closed' | 'loss' | 'canceled' | 'rejected' | 'neutral';

export function toneOf(state: string | undefined, realizedPnl?: number): Tone {
  const s = (state ?? '').toUpperCase();
  if (s === 'AWAITING') return 'awaiting';
  if (/REJECT|INVALID|ERROR|FAIL|LIQUIDAT/.test(s)) return 'rejected';
  if (/CANCEL|EXPIRE/.test(s)) return 'canceled';
  if (/CLOSED|REALIZED|PROFIT|DONE/.test(s)) {
    return typeof realizedPnl === 'number' && realizedPnl < 0 ? 'loss' : 'closed';
  }
  if (/PARTIAL|WORKING|PENDING|REQUEST|PLACED|SUBMIT|ACK|NEW|ENTRY|EXIT/.test(s)) return 'working';
  if (/FILLED|OPEN|GRANTED|CREATED|QUALIFIED|INCREASED|REDUCED|ACTIVE|SETTLED/.test(s)) return 'active';
  if (/IDLE|FREE/.test(s)) return 'neutral';
  return 'neutral';
}
