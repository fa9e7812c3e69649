import { DynamicModule, Module } from '@nestjs/common';
import { KnownEventTypes, knownEventTypes } from './known-event-types';

/**
 * Binds the `KnownEventTypes` port for the whole app (global): the composition root hands in the assembled catalog's
 * type names (`EventTypesModule.forRoot(EVENT_TYPES)` in app.module), so EventsModule stays a plain module that the
 * feature modules import.
 */
@Module({})
export class EventTypesModule {
  static forRoot(types: readonly string[]): DynamicModule {
    return {
      module: EventTypesModule,
      global: true,
      providers: [{ provide: KnownEventTypes, useValue: knownEventTypes(types) }],
      exports: [KnownEventTypes],
    };
  }
}
