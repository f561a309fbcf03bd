import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { getHeapStatistics } from 'node:v8';

/** Past this share of V8's heap limit, garbage collection thrashes and an out-of-memory crash is near. */
const HEAP_LIMIT_SHARE = 0.9;
/** Three times the RSS one process is meant to stay under at full load (350 MB): a leak, not load. */
const RSS_THRESHOLD_BYTES = 1024 * 1024 * 1024;

/** Heap and resident memory of this process against fixed thresholds; both only degrade. */
@Injectable()
export class MemoryIndicator {
  private readonly heapThresholdBytes = Math.floor(getHeapStatistics().heap_size_limit * HEAP_LIMIT_SHARE);

  constructor(private readonly indicators: HealthIndicatorService) {}

  checkHeap(key: string): HealthIndicatorResult {
    return this.compare(key, process.memoryUsage().heapUsed, this.heapThresholdBytes);
  }

  checkRss(key: string): HealthIndicatorResult {
    return this.compare(key, process.memoryUsage.rss(), RSS_THRESHOLD_BYTES);
  }

  private compare(key: string, usedBytes: number, thresholdBytes: number): HealthIndicatorResult {
    const indicator = this.indicators.check(key);
    return usedBytes > thresholdBytes
      ? indicator.down({ message: 'above its threshold', usedBytes, thresholdBytes })
      : indicator.up({ usedBytes, thresholdBytes });
  }
}
