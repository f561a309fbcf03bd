import cluster, { Worker } from 'node:cluster';
import type { AppConfig, RootLogger } from '@strata/core';
import type { BannerFacts } from './banner';

/** What a supervised process tells the supervisor once it serves (or consumes queues). */
export interface ReadyMessage {
  type: 'strata:ready';
  facts: BannerFacts;
}

/** A process that exits within this long of starting counts as a crash loop: restarts slow down. */
const STABLE_AFTER_MS = 30_000;
const RESTART_DELAYS_MS = [100, 1_000, 5_000, 15_000];

/**
 * `API_PROCESSES=N` (N > 1): this process only supervises. It forks N HTTP processes
 * (`PROCESS_ROLE=api`) that share the port through node:cluster, plus, in the `all` role, one
 * queue-consuming process (`PROCESS_ROLE=worker`), all against the services this process
 * resolved (embedded ones included). They are separate instances exactly as when scaled out
 * on several machines, so caches, limits and invalidation already hold across them (Redis).
 *
 * - The first HTTP process boots alone (migrations, the admin key of a first boot), the others
 *   once it is ready; one banner is printed when all are ready.
 * - A process that dies is started again (after 0.1 s, slower if it keeps dying).
 * - SIGTERM / SIGINT (`stop`) are passed to every process, which drain as usual; resolves once
 *   all have exited.
 *
 * node:cluster is Node's own process-per-core server and needs nothing else; PM2-style process
 * managers would be a second supervisor around ours.
 */
export class ProcessSupervisor {
  private readonly slots: Slot[];
  private stopping = false;

  constructor(
    private readonly config: AppConfig,
    private readonly logger: RootLogger,
    private readonly printBanner: (facts: BannerFacts) => void,
  ) {
    const env = childEnvironment(config);
    const http = Array.from({ length: config.http.processes }, (_, index): Slot => ({
      name: `http-${index + 1}`,
      env: { ...env, PROCESS_ROLE: 'api' },
      restarts: 0,
    }));
    const queues: Slot[] = config.role === 'all' ? [{ name: 'worker', env: { ...env, PROCESS_ROLE: 'worker' }, restarts: 0 }] : [];
    this.slots = [...http, ...queues];
  }

  /** Forks every process; resolves once all of them are ready, and prints the banner. */
  async start(): Promise<void> {
    // Each process accepts connections on the shared socket itself. With node:cluster's default
    // round robin, this process accepts them and hands them over; one handed to a process that
    // has just died is never answered (the client hangs until its own timeout).
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    const [first, ...rest] = this.slots;
    const facts = await this.fork(first);
    await Promise.all(rest.map((slot) => this.fork(slot)));
    this.printBanner({ ...facts, role: this.config.role, processes: this.config.http.processes });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.slots.map(async (slot) => {
        clearTimeout(slot.restartTimer);
        const worker = slot.worker;
        if (!worker || worker.isDead()) return;
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        worker.process.kill('SIGTERM');
        await exited;
      }),
    );
  }

  /** Starts the slot's process; resolves with what it reports once ready, rejects if it exits first. */
  private fork(slot: Slot): Promise<BannerFacts> {
    const worker = cluster.fork(slot.env);
    slot.worker = worker;
    slot.startedAt = Date.now();
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: Partial<ReadyMessage>) => {
        if (message?.type !== 'strata:ready') return;
        ready = true;
        resolve(message.facts as BannerFacts);
      });
      worker.once('exit', (code, signal) => {
        if (!ready) reject(new Error(`the ${slot.name} process exited during start-up (${signal ?? `code ${code}`})`));
        else this.restart(slot, code, signal);
      });
    });
  }

  private restart(slot: Slot, code: number | null, signal: string | null): void {
    if (this.stopping) return;
    const stable = Date.now() - (slot.startedAt ?? 0) > STABLE_AFTER_MS;
    slot.restarts = stable ? 0 : slot.restarts + 1;
    const delay = RESTART_DELAYS_MS[Math.min(slot.restarts, RESTART_DELAYS_MS.length - 1)];
    this.logger.warn({ context: 'Supervisor', process: slot.name, code, signal }, `the ${slot.name} process died: starting it again in ${delay} ms`);
    slot.restartTimer = setTimeout(() => {
      this.fork(slot).then(
        () => this.logger.info({ context: 'Supervisor', process: slot.name }, `the ${slot.name} process is back`),
        // It died again before it was ready (its exit handler only rejected): try again, more slowly.
        (error: Error) => this.restart(slot, null, error.message),
      );
    }, delay);
  }
}

interface Slot {
  name: string;
  env: Record<string, string>;
  worker?: Worker;
  startedAt?: number;
  restarts: number;
  restartTimer?: NodeJS.Timeout;
}

/**
 * The environment of a supervised process: this one's, with the services this process resolved
 * (so no child starts embedded services of its own) and one HTTP process each.
 */
function childEnvironment(config: AppConfig): Record<string, string> {
  return {
    DATABASE_URL: config.database.url ?? '',
    REDIS_URL: config.redis.url ?? '',
    API_PROCESSES: '1',
  };
}

/** In a supervised process: tells the supervisor it is ready, with what its banner would say. Returns false when not supervised. */
export function reportReadyToSupervisor(facts: BannerFacts): boolean {
  if (!cluster.isWorker || !process.send) return false;
  const message: ReadyMessage = { type: 'strata:ready', facts };
  process.send(message);
  return true;
}
