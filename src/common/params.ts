import { Param, ParseUUIDPipe, type PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { ValidateBy, type ValidationOptions } from 'class-validator';
import { InvalidRequestException } from './problem';

/**
 * Path parameters that are ids: checked before any query or engine call sees them, 400 naming the parameter
 * (a non-UUID reaching PostgreSQL's uuid type, or a key beyond int64 reaching the engine, was a 500 / 503).
 */

const INT64_MAX = 9_223_372_036_854_775_807n;

/** An engine key (Zeebe keys are int64): a decimal string in 1..9223372036854775807, no sign, no leading zero. */
export function isEngineKey(value: unknown): value is string {
  return typeof value === 'string' && /^[1-9]\d{0,18}$/.test(value) && BigInt(value) <= INT64_MAX;
}

const engineKeyMessage = (name: string) => `${name} must be a decimal engine key between 1 and ${INT64_MAX}`;

/** class-validator: an engine key (query parameters such as processInstanceKey). */
export function IsEngineKey(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy({ name: 'isEngineKey', validator: { validate: isEngineKey, defaultMessage: (args) => engineKeyMessage(args?.property ?? 'key') } }, options);
}

class EngineKeyPipe implements PipeTransform<unknown, string> {
  constructor(private readonly name: string) {}
  transform(value: unknown): string {
    if (!isEngineKey(value)) throw new InvalidRequestException([{ field: this.name, message: engineKeyMessage(this.name) }]);
    return value;
  }
}

/** The parameter decorator, plus its OpenAPI description (the fuzz test reads the format from the document). */
function checkedParam(name: string, pipe: PipeTransform, schema: { format?: string; pattern?: string; example?: string }): ParameterDecorator {
  return (target, key, index) => {
    Param(name, pipe)(target, key, index);
    const method = key === undefined ? undefined : Object.getOwnPropertyDescriptor(target, key);
    if (method) ApiParam({ name, type: String, required: true, ...schema })(target, key!, method);
  };
}

/** `@UuidParam()` instead of `@Param('id')`: the parameter must be a UUID. */
export function UuidParam(name = 'id'): ParameterDecorator {
  return checkedParam(name, new ParseUUIDPipe({ exceptionFactory: () => new InvalidRequestException([{ field: name, message: `${name} must be a UUID` }]) }), { format: 'uuid' });
}

/** `@EngineKeyParam('key')` instead of `@Param('key')`: the parameter must be an engine key. */
export function EngineKeyParam(name: string): ParameterDecorator {
  return checkedParam(name, new EngineKeyPipe(name), { pattern: '^[1-9][0-9]{0,18}$', example: '2251799813685249' });
}
