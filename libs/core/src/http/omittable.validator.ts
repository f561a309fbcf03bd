import { ValidateIf } from 'class-validator';

/**
 * For optional body fields: "may be left out", not "may be null". class-validator's
 * `IsOptional` also skips `null`, which would reach a NOT NULL column (a 500 on PATCH);
 * with this a `null` is validated, and refused, like any other wrong value.
 */
export const Omittable = (): PropertyDecorator => ValidateIf((_dto: object, value: unknown) => value !== undefined);
