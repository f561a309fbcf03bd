/** The secrets that sign right now: the current one, plus the previous one during its rotation overlap. */
export function liveSecrets(endpoint: { secret: string; previous_secret: string | null; previous_secret_expires_at: Date | null }, now = new Date()): string[] {
  const previousLive = endpoint.previous_secret && endpoint.previous_secret_expires_at && endpoint.previous_secret_expires_at > now;
  return previousLive ? [endpoint.secret, endpoint.previous_secret!] : [endpoint.secret];
}
