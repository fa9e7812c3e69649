import { Injectable } from '@nestjs/common';

/**
 * The time, injected (CommonModule provides SystemClock): services ask it instead of `Date.now()`/`new Date()`, so
 * tests can move time (test/utils/test-clock.ts) instead of rewriting rows. Pure helpers take `now` as a parameter.
 * Both methods are one call, cheap enough for the dispatcher's and the pipeline's hot paths.
 */
export abstract class Clock {
  abstract now(): Date;
  abstract nowMs(): number;
}

@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
  nowMs(): number {
    return Date.now();
  }
}
