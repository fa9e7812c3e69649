import { Param, ParseUUIDPipe } from '@nestjs/common';
import { NotFound } from './errors';

/** A UUID route parameter; anything that is not a UUID is simply "not found". */
export const IdParam = (name: string, what: string): ParameterDecorator =>
  Param(name, new ParseUUIDPipe({ exceptionFactory: () => new NotFound(what) }));
