import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { OutboxBacklog } from '@strata/events';

/** Events older than this still waiting in the outbox mean the relay, the worker or Redis is stuck. */
const STUCK_AFTER_SECONDS = 60;

/**
 * The event pipeline moves: nothing has waited in the outbox for long. Down only degrades the
 * instance — writes still succeed and the events wait for the worker or Redis to come back.
 */
@Injectable()
export class QueueIndicator {
  constructor(
    private readonly backlog: OutboxBacklog,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    const state = await this.backlog.state();
    if (state.oldestPendingSeconds > STUCK_AFTER_SECONDS) {
      return indicator.down({ message: `the oldest unrelayed event is ${state.oldestPendingSeconds} s old`, ...state });
    }
    return indicator.up({ ...state });
  }
}
