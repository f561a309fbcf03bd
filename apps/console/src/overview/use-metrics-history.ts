import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiClient } from '../api/client';
import { parsePrometheus } from './prometheus';
import { MetricsSnapshot, Rates, ratesBetween, snapshotOf } from './rates';

const POLL_MS = 2000;
/** Ten minutes of points at one every two seconds. */
const MAX_POINTS = 300;

/**
 * Scrapes /metrics (this instance's Prometheus counters) every two seconds and keeps the rates
 * between consecutive scrapes, for the overview's charts. `error` is the last failed scrape.
 */
export function useMetricsHistory(api: ApiClient): { history: Rates[]; error: unknown } {
  const [history, setHistory] = useState<Rates[]>([]);
  const [error, setError] = useState<unknown>(null);
  const previous = useRef<MetricsSnapshot | null>(null);
  useEffect(() => {
    let stopped = false;
    const scrape = async () => {
      try {
        const text = await (await api.raw('/metrics')).text();
        const snapshot = snapshotOf(parsePrometheus(text), Date.now());
        if (previous.current && !stopped) {
          const rates = ratesBetween(previous.current, snapshot);
          setHistory((points) => [...points.slice(-(MAX_POINTS - 1)), rates]);
        }
        previous.current = snapshot;
        setError(null);
      } catch (failure) {
        if (!stopped) setError(failure);
      }
    };
    void scrape();
    const timer = setInterval(() => void scrape(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [api]);
  return { history, error };
}
