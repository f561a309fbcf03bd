import { Signer } from '@fastify/cookie';
import { Injectable } from '@nestjs/common';
import { ApiKeysService } from '@strata/api-keys';
import { SecretBox } from '@strata/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Everything under /admin (the dashboard, sign-in and sign-out) sees the session cookie; nothing else does. */
export const ADMIN_PATH = '/admin';
export const ADMIN_SESSION_COOKIE = 'strata_admin_session';
/** How long a browser session lasts; the key is checked again on every request regardless. */
export const ADMIN_SESSION_TTL_S = 3600;
/** The HKDF label of the cookie-signing key: a new label (say v2) would end every session at once. */
const SIGNING_KEY_PURPOSE = 'strata admin session cookie v1';
const FORMAT = 'v1';

/** What the dashboard needs to know of a key: whether it is valid now, and its scopes. */
export interface KeyStanding {
  valid: boolean;
  scopes: string[] | null;
}

/**
 * The queue dashboard's browser session: a cookie `v1.<keyId>.<expires, unix s>.<HMAC-SHA256>`.
 * It names the key but never holds it. The HMAC key is derived from SECRETS_ENCRYPTION_KEY,
 * so every instance accepts every instance's cookies. The expiry inside the signed value holds
 * even when a client ignores Max-Age, and each request re-checks the key itself (revoked,
 * deleted, expired, or without the admin scope ends the session).
 */
@Injectable()
export class AdminSessions {
  private readonly signer: Signer;

  constructor(
    secrets: SecretBox,
    private readonly apiKeys: ApiKeysService,
  ) {
    this.signer = new Signer(secrets.deriveKey(SIGNING_KEY_PURPOSE));
  }

  /** The signed cookie value of a session for `keyId` starting at `now`. */
  seal(keyId: string, now = Date.now(), ttlS = ADMIN_SESSION_TTL_S): string {
    return this.signer.sign(`${FORMAT}.${keyId}.${Math.floor(now / 1000) + ttlS}`);
  }

  /** The key id a cookie value names, when we signed it and it has not expired; else undefined. */
  open(value: string, now = Date.now()): string | undefined {
    const unsigned = this.signer.unsign(value);
    if (!unsigned.valid) return undefined;
    const [format, keyId, expires, extra] = unsigned.value.split('.');
    if (format !== FORMAT || !keyId || !/^\d{1,12}$/.test(expires ?? '') || extra !== undefined) return undefined;
    return Number(expires) * 1000 > now ? keyId : undefined;
  }

  /**
   * The standing of the key the request's session names, checked now (through the key lookup
   * cache, which every change to a key clears on every instance); undefined without a session
   * cookie, `{ valid: false }` for one that is forged, tampered with or expired.
   */
  async keyOf(request: FastifyRequest): Promise<KeyStanding | undefined> {
    const cookie = request.cookies[ADMIN_SESSION_COOKIE];
    if (!cookie) return undefined;
    const keyId = this.open(cookie);
    return keyId ? this.apiKeys.verifyId(keyId) : { valid: false, scopes: null };
  }

  /** Sets the session cookie; `Secure` when the request came over HTTPS (directly or through a trusted proxy). */
  start(request: FastifyRequest, reply: FastifyReply, keyId: string): void {
    reply.setCookie(ADMIN_SESSION_COOKIE, this.seal(keyId), {
      path: ADMIN_PATH,
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https',
      maxAge: ADMIN_SESSION_TTL_S,
    });
  }

  end(request: FastifyRequest, reply: FastifyReply): void {
    reply.clearCookie(ADMIN_SESSION_COOKIE, { path: ADMIN_PATH, httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https' });
  }
}

/** Whether an admin key or session may open the dashboard: 0 if so, else the status to answer. */
export function adminStatus(verdict: KeyStanding | undefined): 0 | 401 | 403 {
  if (!verdict?.valid) return 401;
  return verdict.scopes?.includes('admin') ? 0 : 403;
}
