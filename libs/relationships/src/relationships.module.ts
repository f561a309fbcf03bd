import { Module } from '@nestjs/common';
import { ContentModule } from '@strata/content';
import { EventsModule } from '@strata/events';
import { GraphService } from './graph/graph.service';
import { ContentLinksController } from './links/content-links.controller';
import { ItemLinksService } from './links/item-links.service';
import { RelationshipCascade } from './links/relationship-cascade';
import { RelationshipsController } from './links/relationships.controller';
import { RelationshipsService } from './links/relationships.service';
import { RelationshipTypesController } from './types/relationship-types.controller';
import { RelationshipTypesService } from './types/relationship-types.service';

/**
 * Typed links between content items, read from either end and as graphs. Loaded by every role:
 * the cascade that deletes a deleted item's links must run wherever content is written.
 */
@Module({
  imports: [ContentModule, EventsModule],
  controllers: [RelationshipTypesController, RelationshipsController, ContentLinksController],
  providers: [RelationshipTypesService, RelationshipsService, ItemLinksService, GraphService, RelationshipCascade],
  exports: [RelationshipsService],
})
export class RelationshipsModule {}
