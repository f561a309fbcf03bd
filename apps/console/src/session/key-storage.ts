/**
 * Where the pasted key lives: this tab's sessionStorage only. It is gone when the tab closes,
 * other tabs never see it, and it is never put in a URL or a cookie (nothing sends it but the
 * console's own Authorization headers).
 */
const STORAGE_KEY = 'strata.console.apiKey';

type KeyStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export function storedKey(storage: KeyStore = sessionStorage): string | null {
  return storage.getItem(STORAGE_KEY);
}

export function storeKey(key: string, storage: KeyStore = sessionStorage): void {
  storage.setItem(STORAGE_KEY, key);
}

export function forgetKey(storage: KeyStore = sessionStorage): void {
  storage.removeItem(STORAGE_KEY);
}

/** A pasted key, trimmed of the whitespace and `Bearer ` a copy from a terminal or a header tends to bring. */
export function normaliseKey(pasted: string): string {
  return pasted.trim().replace(/^bearer\s+/i, '');
}
