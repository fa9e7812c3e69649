import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { advisoryXactLock } from '../database/advisory-xact-lock';
import { TeamsService } from '../teams/teams.service';
import { UsersService } from '../users/users.service';

export interface CreatedAdmin {
  userId: string;
  email: string;
  teamId: string | null;
  created: boolean;
}

/** The first user: from the CLI (`create-admin`) or from ADMIN_EMAIL + ADMIN_PASSWORD at first boot. */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');

  constructor(
    private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly teams: TeamsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.config.bootstrapAdmin;
    if (!admin || !this.config.runsHttp) return;
    const result = await this.createAdmin(admin.email, admin.password, admin.team);
    if (result.created) this.logger.log(`created admin ${result.email} (owner of team "${admin.team}")`);
  }

  /** Idempotent: an existing user is left as is (password untouched); a team is created only with a new user. */
  async createAdmin(email: string, password: string, teamName?: string): Promise<CreatedAdmin> {
    return this.dataSource.transaction(async (em) => {
      // serialize concurrent first boots of several replicas
      await advisoryXactLock(em, 'switchboard:create-admin');
      const existing = await this.users.findByEmail(email, em);
      if (existing) return { userId: existing.id, email: existing.email, teamId: null, created: false };
      const user = await this.users.create({ email, password }, em);
      const team = teamName ? await this.teams.create(teamName, user.id, em) : null;
      return { userId: user.id, email: user.email, teamId: team?.id ?? null, created: true };
    });
  }
}
