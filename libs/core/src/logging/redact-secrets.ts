/**
 * Strata's own secrets have recognisable shapes: API keys (`sk_…`) and webhook secrets
 * (`whsec_…`). A client may still put one where it does not belong (a path segment, say);
 * text that is echoed back or logged goes through here so that it is never repeated.
 */
const SECRET_SHAPES = /\b(sk|whsec)_[A-Za-z0-9+/=_-]{8,}/g;

export function redactSecrets(text: string): string {
  return text.replace(SECRET_SHAPES, '$1_[redacted]');
}
