import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditController } from './audit.controller';
import { AuditInterceptor } from './audit.interceptor';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';
import { AuditEvent } from './entities/audit-event.entity';
import { AuditPruner } from './jobs/audit.pruner';

/**
 * The audit log. Depends on nothing of ours but common/ and database/; feature services call auditBefore. Global: the
 * interceptor that @Audited binds to a route is built in the route's own module, and needs AuditService there.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditEvent])],
  controllers: [AuditController],
  providers: [AuditRepository, AuditService, AuditInterceptor],
  exports: [AuditService, AuditInterceptor],
})
export class AuditModule {}

/** The retention job: only in ROLE=worker|all. */
@Module({
  imports: [AuditModule],
  providers: [AuditPruner],
})
export class AuditWorkerModule {}
