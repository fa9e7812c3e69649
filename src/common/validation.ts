import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldProblem, ValidationFailed } from './errors';

function collect(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own: FieldProblem[] = e.constraints ? [{ field, messages: Object.values(e.constraints) }] : [];
    return [...own, ...collect(e.children ?? [], field)];
  });
}

/** Whitelisting pipe: unknown fields are rejected; every message names its field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => {
      const details = collect(errors);
      const message = details.map((d) => d.messages.map((m) => (m.includes(d.field) ? m : `${d.field}: ${m}`)).join('; ')).join('; ');
      return new ValidationFailed(message || 'Validation failed', details);
    },
  });
}
