import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, MaxLength, Min } from 'class-validator';
import { ContentRefDto } from '../links/relationship.dto';
import { RELATIONSHIP_TYPE_MAX_LENGTH, RELATIONSHIP_TYPE_PATTERN } from '../types/relationship-type-registry';

export const MAX_GRAPH_DEPTH = 5;
export const DEFAULT_GRAPH_NODE_LIMIT = 200;
export const MAX_GRAPH_NODE_LIMIT = 1000;

const toInteger = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);

export class GraphQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_GRAPH_DEPTH, default: 2, description: 'How many links away from the item to go' })
  @IsOptional()
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(MAX_GRAPH_DEPTH)
  depth: number = 2;

  @ApiPropertyOptional({ example: 'parent', description: 'Follow only links of this type or its inverse (parent and child make one tree)' })
  @IsOptional()
  @MaxLength(RELATIONSHIP_TYPE_MAX_LENGTH)
  @Matches(RELATIONSHIP_TYPE_PATTERN, { message: 'type must be lowercase letters and digits, words joined by -' })
  type?: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_GRAPH_NODE_LIMIT,
    default: DEFAULT_GRAPH_NODE_LIMIT,
    description: 'Most nodes answered (nearest first); more sets `truncated`',
  })
  @IsOptional()
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(MAX_GRAPH_NODE_LIMIT)
  limit: number = DEFAULT_GRAPH_NODE_LIMIT;
}

export class GraphNodeDto extends ContentRefDto {
  @ApiProperty({ nullable: true, type: String, example: 'Getting started', description: 'Title (filename for media)' }) title: string | null;
  @ApiProperty({ example: 1, description: 'Fewest links between this node and the item' }) depth: number;
}

/**
 * A node as the document describes it: one variant per item type (`type` tells them apart), so
 * a generated client knows that a media node's title is a file name.
 */
abstract class GraphNodeFields {
  @ApiProperty({ format: 'uuid', example: '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f' }) id: string;
  @ApiProperty({ example: 1, description: 'Fewest links between this node and the item' }) depth: number;
}
export class PageGraphNodeDto extends GraphNodeFields {
  @ApiProperty({ enum: ['page'] }) type: 'page';
  @ApiProperty({ nullable: true, type: String, example: 'Getting started', description: "The page's title (null if it was deleted during the walk)" }) title:
    string | null;
}
export class ModuleGraphNodeDto extends GraphNodeFields {
  @ApiProperty({ enum: ['module'] }) type: 'module';
  @ApiProperty({ nullable: true, type: String, example: 'Hero banner', description: "The module's title (null if it was deleted during the walk)" }) title:
    string | null;
}
export class MediaGraphNodeDto extends GraphNodeFields {
  @ApiProperty({ enum: ['media'] }) type: 'media';
  @ApiProperty({ nullable: true, type: String, example: 'diagram.png', description: "The media item's file name (null if it was deleted during the walk)" })
  title: string | null;
}
const GRAPH_NODE_VARIANTS = { page: PageGraphNodeDto, module: ModuleGraphNodeDto, media: MediaGraphNodeDto };

export class GraphEdgeDto {
  @ApiProperty({ format: 'uuid', description: 'The relationship id' }) id: string;
  @ApiProperty({ type: ContentRefDto }) source: ContentRefDto;
  @ApiProperty({ type: ContentRefDto }) target: ContentRefDto;
  @ApiProperty({ example: 'parent', description: 'The stored type (from source to target)' }) type: string;
}

@ApiExtraModels(PageGraphNodeDto, ModuleGraphNodeDto, MediaGraphNodeDto)
export class GraphDto {
  @ApiProperty({ type: ContentRefDto, description: 'The item the walk started from' }) root: ContentRefDto;
  @ApiProperty({ example: 2 }) depth: number;
  @ApiProperty({
    type: 'array',
    items: {
      oneOf: Object.values(GRAPH_NODE_VARIANTS).map((variant) => ({ $ref: getSchemaPath(variant) })),
      discriminator: {
        propertyName: 'type',
        mapping: Object.fromEntries(Object.entries(GRAPH_NODE_VARIANTS).map(([type, variant]) => [type, getSchemaPath(variant)])),
      },
    },
    example: [
      { type: 'page', id: '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f', title: 'Guide', depth: 0 },
      { type: 'media', id: '0196f0e4-9c1d-7a2b-8e3f-4a5b6c7d8e9f', title: 'diagram.png', depth: 1 },
    ],
  })
  nodes: GraphNodeDto[];
  @ApiProperty({
    type: [GraphEdgeDto],
    example: [
      {
        id: '0196f0e5-0000-7000-8000-000000000001',
        source: { type: 'page', id: '0196f0e4-8a5b-7c3d-9e2f-1a2b3c4d5e6f' },
        target: { type: 'media', id: '0196f0e4-9c1d-7a2b-8e3f-4a5b6c7d8e9f' },
        type: 'gallery',
      },
    ],
  })
  edges: GraphEdgeDto[];
  @ApiProperty({ example: false, description: 'True when more nodes were within reach than `nodeLimit`; the nearest are answered' }) truncated: boolean;
  @ApiProperty({ example: DEFAULT_GRAPH_NODE_LIMIT }) nodeLimit: number;
}
