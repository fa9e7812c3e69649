import { Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from './clock';
import { Ids, RandomIds } from './ids';

/** Time and randomness as providers, for every module (tests override Clock/Ids). */
@Global()
@Module({
  providers: [
    { provide: Clock, useClass: SystemClock },
    { provide: Ids, useClass: RandomIds },
  ],
  exports: [Clock, Ids],
})
export class CommonModule {}
