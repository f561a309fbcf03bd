import type { TierLimits } from '@strata/core';
import type { CreditRefill } from './credit-refill';
import type { IpAllowlist } from './ip-allowlist';

/** What a valid key lets a request do: who it is (for limits and usage) and what it may call. */
export interface ApiKeyPrincipal {
  /** The key's id, or `admin` for ADMIN_API_KEY. */
  keyId: string;
  scopes: string[];
  tier: string;
  expiresAt: Date | null;
  /** Uses left for a usage-limited key; null when unlimited. */
  remaining: number | null;
  /** Until when this particular secret works (a rotated key's old secret expires first). */
  validUntil: Date | null;
  /** Where the key may be used from; null: anywhere. */
  ipAllowlist: IpAllowlist | null;
  /** The key's own limits, taking precedence over its tier's; null: the tier's. */
  limits: TierLimits | null;
  /** Credits that refill each UTC day or month; null: `remaining` only counts down. */
  refill: CreditRefill | null;
  /** The identity the key belongs to; its keys share one rate-limit budget. */
  ownerId: string | null;
}

export const ADMIN_KEY_ID = 'admin';

/** Why a presented key is not accepted, as `verify` reports it. */
export type KeyRejection = 'not_found' | 'revoked' | 'expired' | 'usage_exceeded';
