import { applyDecorators } from '@nestjs/common';
import { IsString, Length, ValidateBy, type ValidationOptions } from 'class-validator';

/** Has a character that is not white space (U+3000, the ideographic space, counts as white space). */
export function isNotBlank(value: unknown): boolean {
  return typeof value === 'string' && /\S/.test(value);
}

/** class-validator: a string that is not only white space. */
export function IsNotBlank(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name: 'isNotBlank', validator: { validate: isNotBlank, defaultMessage: (args) => `${args?.property} must not be blank` } }, options);
}

/**
 * Required free text (a name, a reason, a note): a string of `min`..`max` characters, not only white space.
 * `each` checks every element of an array instead.
 */
export function IsText(max: number, min = 1, options: ValidationOptions & { message?: string } = {}): PropertyDecorator {
  return applyDecorators(IsString(options), Length(min, max, options), IsNotBlank(options));
}
