import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../../connections/connections.module';
import { GitHubClientFactory } from './github-client.factory';
import { GitHubConnector } from './github.connector';

@Module({
  imports: [ConnectionsModule],
  providers: [GitHubClientFactory, GitHubConnector],
  exports: [GitHubClientFactory, GitHubConnector],
})
export class GitHubModule {}
