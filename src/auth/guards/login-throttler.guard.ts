import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

/**
 * Login attempts are counted per client address and email (`login` throttler), so guessing one account's password
 * is slowed without locking out colleagues behind the same NAT; `login-ip` bounds one address across all emails.
 * The address is `req.ip`: the peer, or what a proxy trusted by TRUST_PROXY forwarded. The counters live in Redis
 * (LoginAttemptStore), shared by every replica.
 */
@Injectable()
export class LoginThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const ip = String(req.ip ?? 'unknown');
    const body = req.body as { email?: unknown } | undefined;
    const email = typeof body?.email === 'string' ? body.email.trim().toLowerCase() : '';
    return `${ip}|${email}`;
  }

  protected override generateKey(context: Parameters<ThrottlerGuard['generateKey']>[0], tracker: string, name: string): string {
    const key = name === 'login-ip' ? tracker.split('|')[0] : tracker;
    return super.generateKey(context, key, name);
  }
}
