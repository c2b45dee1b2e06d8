import { Param, ParseUUIDPipe } from '@nestjs/common';
import { DomainError } from '@northstar/contracts';

/** A path id that must be a UUID; anything else is a 400 before any service is asked. */
export const UuidParam = (name: string) =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () => new DomainError('VALIDATION_FAILED', 'Validation failed', [`${name} must be a UUID`]),
    }),
  );
