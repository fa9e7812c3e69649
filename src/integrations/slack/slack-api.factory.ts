import { Injectable } from '@nestjs/common';
import { LogLevel, WebClient } from '@slack/web-api';
import { AppConfig } from '../../config/app-config';
import { SLACK_CONFIG } from './slack.config';

/** The one place Slack Web API clients are made, pointed at SLACK_API_URL (a fake in tests). */
@Injectable()
export class SlackApiFactory {
  constructor(private readonly config: AppConfig) {}

  client(botToken: string): WebClient {
    return new WebClient(botToken, {
      slackApiUrl: this.config.platform(SLACK_CONFIG).apiUrl,
      timeout: this.config.platforms.timeoutMs,
      // Our queues retry and honour Retry-After; the client must not sleep inside a request.
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
    });
  }
}
