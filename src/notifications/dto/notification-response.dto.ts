import { ApiProperty } from '@nestjs/swagger';
import type { NotificationView } from '../notifications.service';

export class NotificationResponse implements NotificationView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'webhook_endpoint.failing' }) type: string;
  @ApiProperty({ example: 'Webhook endpoint https://hooks.example.com/switchboard is failing' }) message: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Ids and details for the type' }) data: Record<string, unknown>;
  @ApiProperty() createdAt: Date;
}
