import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface OutboxBacklogState {
  pending: number;
  /** Age of the oldest event not yet relayed, in seconds (0 when none). */
  oldestPendingSeconds: number;
}

/** How far the relay is behind: what the health check and operators look at. */
@Injectable()
export class OutboxBacklog {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async state(): Promise<OutboxBacklogState> {
    const [row]: { pending: number; oldest: number | null }[] = await this.dataSource.query(
      `SELECT count(*)::int AS pending, extract(epoch FROM now() - min(created_at))::float AS oldest FROM outbox_events WHERE relayed_at IS NULL`,
    );
    return { pending: row.pending, oldestPendingSeconds: Math.max(0, Math.round(row.oldest ?? 0)) };
  }
}
