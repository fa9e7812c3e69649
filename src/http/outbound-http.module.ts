import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { OUTBOUND_HTTP_OPTIONS, OutboundHttpClient, OutboundHttpOptions } from './outbound-http-client';
import { PlatformFileFetcher } from './platform-file-fetcher';
import { WebhookSigner } from './signing/webhook-signer';

/**
 * Outbound HTTP to team-supplied URLs: one OutboundHttpClient (one keep-alive pool set) for the whole process, and
 * the Standard Webhooks signer. Tests swap OUTBOUND_HTTP_OPTIONS (e.g. to inject a DNS lookup).
 */
@Module({
  providers: [
    {
      provide: OUTBOUND_HTTP_OPTIONS,
      inject: [AppConfig],
      // one socket per request in flight to an origin: an agent URL may have INBOUND_CONCURRENCY calls open at once
      useFactory: (config: AppConfig): OutboundHttpOptions => ({
        allowPrivateNetworks: config.allowPrivateNetworks,
        connectionsPerOrigin: Math.max(50, config.inbound.concurrency, config.webhooks.concurrency),
      }),
    },
    OutboundHttpClient,
    WebhookSigner,
    PlatformFileFetcher,
  ],
  exports: [OutboundHttpClient, WebhookSigner, PlatformFileFetcher],
})
export class OutboundHttpModule {}
