import { PAGE_SCOPES, PageName } from './session/scopes';

/** Where the console is: a page and the path below it, kept in the URL's hash (#/webhooks/<id>). */
export interface Route {
  page: PageName;
  parts: string[];
}

export const DEFAULT_PAGE: PageName = 'overview';

export function parseRoute(hash: string): Route {
  const [first, ...parts] = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const page = first && first in PAGE_SCOPES ? (first as PageName) : DEFAULT_PAGE;
  return { page, parts: first && first in PAGE_SCOPES ? parts : [] };
}

export function hrefOf(page: PageName, ...parts: string[]): string {
  return `#/${[page, ...parts].map(encodeURIComponent).join('/')}`;
}
