import { useEffect, useState } from 'preact/hooks';
import { ApiKeysPage } from './pages/api-keys';
import { CachePage } from './pages/cache';
import { ContentPage } from './pages/content';
import { OverviewPage } from './pages/overview';
import { RelationshipsPage } from './pages/relationships';
import { WebhooksPage } from './pages/webhooks';
import { hrefOf, parseRoute, Route } from './routing';
import { PAGE_SCOPES, PageName } from './session/scopes';
import { useSession } from './session/session';

const PAGES: Record<PageName, { title: string; view: (props: { parts: string[] }) => preact.JSX.Element }> = {
  overview: { title: 'Overview', view: OverviewPage },
  content: { title: 'Content', view: ContentPage },
  relationships: { title: 'Relationships', view: RelationshipsPage },
  webhooks: { title: 'Webhooks', view: WebhooksPage },
  keys: { title: 'API keys', view: ApiKeysPage },
  cache: { title: 'Cache', view: CachePage },
};

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** The navigation (only the pages the key may open) and the current page. */
export function Layout() {
  const { capabilities, signOut } = useSession();
  const route = useRoute();
  const allowed = (Object.keys(PAGES) as PageName[]).filter((page) => capabilities.can(PAGE_SCOPES[page]));
  const page = allowed.includes(route.page) ? route.page : allowed[0];
  useEffect(() => {
    document.title = page ? `${PAGES[page].title} · Strata Console` : 'Strata Console';
  }, [page]);
  const View = page ? PAGES[page].view : undefined;
  return (
    <div class="shell">
      <header class="top">
        <a class="brand" href={hrefOf('overview')}>
          Strata Console
        </a>
        <nav aria-label="Pages">
          {allowed.map((name) => (
            <a key={name} href={hrefOf(name)} aria-current={name === page ? 'page' : undefined}>
              {PAGES[name].title}
            </a>
          ))}
        </nav>
        <span class="scopes" title="The scopes of the key you signed in with">
          {capabilities.scopes.join(' · ') || 'no scopes'}
        </span>
        <button type="button" class="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main class="page" id="main">
        {View ? <View key={page} parts={route.parts} /> : <p>This key has no scope that the console can show anything for.</p>}
      </main>
    </div>
  );
}
