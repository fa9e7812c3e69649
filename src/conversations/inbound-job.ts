/** A wake-up for one stored event's conversation: ids only (the row is the truth). */
export interface InboundJob {
  eventId: string;
  connectionId?: string;
  orderingKey?: string;
}
