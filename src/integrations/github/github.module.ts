import { Module } from '@nestjs/common';
import { ConnectionsModule } from '../../connections/connections.module';
import { ConversationsModule } from '../../conversations/conversations.module';
import { GitHubClientFactory } from './github-client.factory';
import { GitHubReposController } from './github-repos.controller';
import { GitHubWebhookController } from './github-webhook.controller';
import { GitHubConnector } from './github.connector';

@Module({
  imports: [ConnectionsModule, ConversationsModule],
  controllers: [GitHubWebhookController, GitHubReposController],
  providers: [GitHubClientFactory, GitHubConnector],
  exports: [GitHubClientFactory, GitHubConnector],
})
export class GitHubModule {}
