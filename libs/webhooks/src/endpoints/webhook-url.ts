import { ProblemException } from '@strata/core';
import { resolveSafeAddress, SsrfError } from '../delivery/ssrf-guard';

/**
 * Registration-time checks of a target URL: a 400 for what is malformed, a 422 for what is
 * well-formed but not allowed (plain http to the internet, credentials, private targets).
 */
export async function assertAllowedWebhookUrl(raw: string, allowPrivate: boolean): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw ProblemException.badRequest('url is not a valid absolute URL.', { url: ['must be an absolute http(s) URL'] });
  }
  const refuse = (message: string) => ProblemException.unprocessable(message, { url: [message] });
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse('url must use http or https');
  if (url.protocol === 'http:' && !allowPrivate) throw refuse('url must use https');
  if (url.username || url.password) throw refuse('url must not contain credentials');
  try {
    await resolveSafeAddress(url.hostname, allowPrivate);
  } catch (error) {
    if (error instanceof SsrfError) throw refuse(`url is not allowed: ${error.message}`);
    throw error;
  }
  return url.toString();
}
