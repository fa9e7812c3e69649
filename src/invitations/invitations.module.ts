import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { TeamsModule } from '../teams/teams.module';
import { UsersModule } from '../users/users.module';
import { Invitation } from './entities/invitation.entity';
import { InvitationsController } from './invitations.controller';
import { InvitationsRepository } from './invitations.repository';
import { InvitationsService } from './invitations.service';
import { TeamInvitationsController } from './team-invitations.controller';

/** Team invitations. Depends on auth, teams and users; nothing depends on it. */
@Module({
  imports: [TypeOrmModule.forFeature([Invitation]), AuthModule, TeamsModule, UsersModule],
  controllers: [TeamInvitationsController, InvitationsController],
  providers: [InvitationsRepository, InvitationsService],
})
export class InvitationsModule {}
