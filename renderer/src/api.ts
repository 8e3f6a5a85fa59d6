// Typed access to `window.cockpit`. Every response is `{ok:true,…}` or a typed
// failure; a thrown error or a malformed answer becomes an INTERNAL failure,
// so views only ever handle values.
import type {
  CockpitApi,
  CommandName,
  CommandRequest,
  CommandResponse,
  Failure,
} from '../../shared/index.js';

declare global {
  interface Window {
    cockpit?: CockpitApi;
  }
}

export function cockpit(): CockpitApi | undefined {
  return typeof window === 'undefined' ? undefined : window.cockpit;
}

function internal(message: string): Failure {
  return { ok: false, error: { code: 'INTERNAL', message } };
}

export function isFailure(value: unknown): value is Failure {
  return (
    value !== null &&
    typeof value === 'object' &&
    (value as { ok?: unknown }).ok === false &&
    typeof (value as { error?: unknown }).error === 'object'
  );
}

/** Normalizes whatever came back into a typed response. */
export function normalizeResponse<N extends CommandName>(value: unknown): CommandResponse<N> {
  if (value === null || typeof value !== 'object') return internal('the host sent no answer');
  const ok = (value as { ok?: unknown }).ok;
  if (ok === true) return value as CommandResponse<N>;
  if (ok === false) {
    const error = (value as { error?: unknown }).error;
    if (error && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string') {
      return value as Failure;
    }
    return internal('the host refused the request without saying why');
  }
  return internal('the host sent a malformed answer');
}

export async function invoke<N extends CommandName>(
  name: N,
  request: CommandRequest<N>,
): Promise<CommandResponse<N>> {
  const api = cockpit();
  if (!api) return internal('no cockpit host is connected');
  try {
    return normalizeResponse<N>(await api.invoke(name, request as object));
  } catch (error) {
    return internal(error instanceof Error ? error.message : String(error));
  }
}
