// Says, above everything, that the window is not connected to the host and
// what to do about it; nothing while it is.
import { useLinkView } from './useOnline.js';

export function ConnectionBanner() {
  const { banner } = useLinkView();
  if (!banner) return null;
  return (
    <div className={`conn-banner level-${banner.level}`} role="alert" data-testid="connection-banner">
      <strong>{banner.title}</strong> <span>{banner.detail}</span>
    </div>
  );
}
