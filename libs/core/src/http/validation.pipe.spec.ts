import { ValidationError } from '@nestjs/common';
import { flattenValidationErrors } from './validation.pipe';

describe('flattenValidationErrors', () => {
  it('names nested and array fields by path', () => {
    const errors: ValidationError[] = [
      { property: 'title', constraints: { isString: 'title must be a string' }, children: [] },
      {
        property: 'operations',
        children: [{ property: '0', children: [{ property: 'op', constraints: { isIn: 'op must be one of create, update, delete' }, children: [] }] }],
      },
    ];
    expect(flattenValidationErrors(errors)).toEqual({
      title: ['title must be a string'],
      'operations[0].op': ['op must be one of create, update, delete'],
    });
  });
});
