import { ContentTables1763830000000 } from './1763830000000-content-tables';
import { ApiKeys1763840000000 } from './1763840000000-api-keys';
import { EventsAndWebhooks1763850000000 } from './1763850000000-events-and-webhooks';
import { Relationships1763860000000 } from './1763860000000-relationships';
import { MediaSizeIndex1763870000000 } from './1763870000000-media-size-index';
import { SearchWords1763880000000 } from './1763880000000-search-words';
import { WebhookOperations1763896000000 } from './1763896000000-webhook-operations';
import { ApiKeyPolicies1763895000000 } from './1763895000000-api-key-policies';
import { ApiKeyRefill1763897000000 } from './1763897000000-api-key-refill';
import { ApiKeyOwner1763898000000 } from './1763898000000-api-key-owner';
import { WebhookRateLimit1763899000000 } from './1763899000000-webhook-rate-limit';
import { WebhookFifo1763899100000 } from './1763899100000-webhook-fifo';
import { WebhookFilters1763899400000 } from './1763899400000-webhook-filters';
import { ApiKeyRouteUsage1763899500000 } from './1763899500000-api-key-route-usage';
import { SearchWordsChangedColumns1763899600000 } from './1763899600000-search-words-changed-columns';

/** Every migration, in order. Add new ones at the end; never edit one that has landed. */
export const migrations = [
  ContentTables1763830000000,
  ApiKeys1763840000000,
  EventsAndWebhooks1763850000000,
  Relationships1763860000000,
  MediaSizeIndex1763870000000,
  SearchWords1763880000000,
  ApiKeyPolicies1763895000000,
  WebhookOperations1763896000000,
  ApiKeyRefill1763897000000,
  ApiKeyOwner1763898000000,
  WebhookRateLimit1763899000000,
  WebhookFifo1763899100000,
  WebhookFilters1763899400000,
  ApiKeyRouteUsage1763899500000,
  SearchWordsChangedColumns1763899600000,
];
