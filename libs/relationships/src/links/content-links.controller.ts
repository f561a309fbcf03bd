import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ContentKind } from '@strata/content';
import { ApiProblems, RequireScope, UuidParam } from '@strata/core';
import { GraphDto, GraphQueryDto } from '../graph/graph.dto';
import { GraphService } from '../graph/graph.service';
import { ItemLinksQueryDto, LinkViewListDto } from './relationship.dto';
import { ItemLinksService } from './item-links.service';

const LINKS_DESCRIPTION =
  'Incoming links are shown with the inverse type (a `parent` link seen from its target is `child`). Cursor-paginated in creation order.';
const GRAPH_DESCRIPTION =
  'Every item within `depth` links (either direction) as `nodes`, each once at its nearest depth, and the links among them as `edges`. ' +
  'Cycles are safe. At most `limit` nodes, nearest first; `truncated` says when more were in reach.';

/**
 * An item's links and neighbourhood under each content collection. The paths are spelled out
 * per collection (no `:collection` parameter) so they never compete with the collections' own
 * routes in the router.
 */
@ApiTags('relationships')
@ApiProblems(400, 404, 422)
@RequireScope('content:read')
@Controller()
export class ContentLinksController {
  constructor(
    private readonly links: ItemLinksService,
    private readonly graphs: GraphService,
  ) {}

  @Get('pages/:id/relationships')
  @ApiOperation({ summary: "A page's relationships", description: LINKS_DESCRIPTION })
  @ApiOkResponse({ type: LinkViewListDto })
  pageLinks(@UuidParam('id') id: string, @Query() query: ItemLinksQueryDto): Promise<LinkViewListDto> {
    return this.linksOf('page', id, query);
  }

  @Get('modules/:id/relationships')
  @ApiOperation({ summary: "A module's relationships", description: LINKS_DESCRIPTION })
  @ApiOkResponse({ type: LinkViewListDto })
  moduleLinks(@UuidParam('id') id: string, @Query() query: ItemLinksQueryDto): Promise<LinkViewListDto> {
    return this.linksOf('module', id, query);
  }

  @Get('media/:id/relationships')
  @ApiOperation({ summary: "A media item's relationships", description: LINKS_DESCRIPTION })
  @ApiOkResponse({ type: LinkViewListDto })
  mediaLinks(@UuidParam('id') id: string, @Query() query: ItemLinksQueryDto): Promise<LinkViewListDto> {
    return this.linksOf('media', id, query);
  }

  @Get('pages/:id/graph')
  @ApiOperation({ summary: "A page's neighbourhood graph", description: GRAPH_DESCRIPTION })
  @ApiOkResponse({ type: GraphDto })
  pageGraph(@UuidParam('id') id: string, @Query() query: GraphQueryDto): Promise<GraphDto> {
    return this.graphOf('page', id, query);
  }

  @Get('modules/:id/graph')
  @ApiOperation({ summary: "A module's neighbourhood graph", description: GRAPH_DESCRIPTION })
  @ApiOkResponse({ type: GraphDto })
  moduleGraph(@UuidParam('id') id: string, @Query() query: GraphQueryDto): Promise<GraphDto> {
    return this.graphOf('module', id, query);
  }

  @Get('media/:id/graph')
  @ApiOperation({ summary: "A media item's neighbourhood graph", description: GRAPH_DESCRIPTION })
  @ApiOkResponse({ type: GraphDto })
  mediaGraph(@UuidParam('id') id: string, @Query() query: GraphQueryDto): Promise<GraphDto> {
    return this.graphOf('media', id, query);
  }

  // Ids are lowercased: cache keys and tags must name an item one way only.
  private linksOf(type: ContentKind, id: string, query: ItemLinksQueryDto): Promise<LinkViewListDto> {
    return this.links.read({ type, id: id.toLowerCase() }, query);
  }

  private graphOf(type: ContentKind, id: string, query: GraphQueryDto): Promise<GraphDto> {
    return this.graphs.read({ type, id: id.toLowerCase() }, query);
  }
}
