import { ApiProperty } from '@nestjs/swagger';
import { Matches, MaxLength } from 'class-validator';
import { RELATIONSHIP_TYPE_MAX_LENGTH, RELATIONSHIP_TYPE_PATTERN } from './relationship-type-registry';

const NAME_MESSAGE = 'must be lowercase letters and digits, words joined by -';

export class RegisterRelationshipTypeDto {
  @ApiProperty({ example: 'translates', maxLength: RELATIONSHIP_TYPE_MAX_LENGTH, pattern: RELATIONSHIP_TYPE_PATTERN.source })
  @MaxLength(RELATIONSHIP_TYPE_MAX_LENGTH)
  @Matches(RELATIONSHIP_TYPE_PATTERN, { message: `name ${NAME_MESSAGE}` })
  name: string;

  @ApiProperty({
    example: 'translated-by',
    maxLength: RELATIONSHIP_TYPE_MAX_LENGTH,
    pattern: RELATIONSHIP_TYPE_PATTERN.source,
    description: 'The type as seen from the target; the same name for a symmetric type',
  })
  @MaxLength(RELATIONSHIP_TYPE_MAX_LENGTH)
  @Matches(RELATIONSHIP_TYPE_PATTERN, { message: `inverse ${NAME_MESSAGE}` })
  inverse: string;
}

export class RelationshipTypeDto {
  @ApiProperty({ example: 'parent' }) name: string;
  @ApiProperty({ example: 'child' }) inverse: string;
}

export class RelationshipTypeListDto {
  @ApiProperty({
    type: [RelationshipTypeDto],
    example: [
      { name: 'child', inverse: 'parent' },
      { name: 'parent', inverse: 'child' },
      { name: 'related', inverse: 'related' },
    ],
  })
  data: RelationshipTypeDto[];

  @ApiProperty({ nullable: true, type: String, example: null, description: 'Always null: the registry is small and answered in one page' })
  nextCursor: null;
}
