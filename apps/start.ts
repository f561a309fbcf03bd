import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AdminKeyBootstrap } from '@strata/api-keys';
import { AppConfig, ConfigError, createRootLogger, loadConfig, ProcessRole, ResolvedServices, resolveServices, RootLogger, StartupError } from '@strata/core';
import { Logger } from 'nestjs-pino';
import { createHttpApp } from './api/create-http-app';
import { AppModule } from './app.module';
import { BannerFacts, printBanner } from './banner';
import { ProcessSupervisor, reportReadyToSupervisor } from './process-supervisor';
import { closeOnSignals } from './shutdown';

const SUPERVISOR_GRACE_MARGIN_MS = 3000;

/**
 * Boots Strata in the given role (or PROCESS_ROLE's): validates the configuration, resolves
 * PostgreSQL and Redis (starting embedded ones when none is configured or reachable), then
 * serves HTTP and/or consumes queues. Problems a user can fix end the process with one clear
 * message and exit code 1.
 *
 * SIGTERM / SIGINT close the app first and only then stop embedded services, so in-flight
 * work can still reach them; the handlers are in place before anything starts, so a signal
 * during startup stops what has started so far.
 *
 * Every line goes through one pino logger (Nest's own included); once ready, a plain-text
 * banner with the addresses (and an admin key generated at this boot) goes straight to stdout.
 * With API_PROCESSES > 1 this process supervises that many HTTP processes instead (see
 * ProcessSupervisor), and prints the banner once they all serve.
 */
export async function startStrata(role?: ProcessRole): Promise<void> {
  let app: INestApplicationContext | undefined;
  let services: ResolvedServices | undefined;
  let supervisor: ProcessSupervisor | undefined;
  try {
    const loaded = loadConfig();
    const config = role ? loaded.with({ role }) : loaded;
    const logger = createRootLogger(config);
    const startup = logger.child({ context: 'Startup' });
    const shutdown = logger.child({ context: 'Shutdown' });
    closeOnSignals(
      async () => {
        await supervisor?.stop();
        await app?.close();
        await services?.stop();
      },
      // A supervisor waits for its processes, which take up to the grace period themselves.
      config.http.shutdownGraceMs + (supervises(config) ? SUPERVISOR_GRACE_MARGIN_MS : 0),
      (line) => shutdown.info(line),
    );
    services = await resolveServices(config, (line) => startup.info(line));
    if (supervises(services.config)) {
      supervisor = new ProcessSupervisor(services.config, logger, printBanner);
      await supervisor.start();
    } else {
      app = await boot(services.config, logger);
    }
  } catch (error) {
    await supervisor?.stop();
    await services?.stop();
    if (error instanceof ConfigError || error instanceof StartupError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

async function boot(config: AppConfig, logger: RootLogger): Promise<INestApplicationContext> {
  if (config.role === 'worker') {
    const worker = await NestFactory.createApplicationContext(AppModule.forRoot(config, logger), { bufferLogs: true });
    worker.useLogger(worker.get(Logger));
    logger.info({ context: 'Startup' }, 'Strata worker started');
    await flushed(logger);
    announce({ role: config.role });
    return worker;
  }
  const app = await createHttpApp(config, logger);
  await app.listen(config.http.port, config.http.host);
  const port = (app.getHttpServer().address() as AddressInfo).port;
  logger.info({ context: 'Startup' }, `Strata (${config.role}) listening on ${config.http.host}:${port}`);
  await flushed(logger);
  announce(httpBannerFacts(app, config, port));
  return app;
}

/** The banner, or, in a process the supervisor started, the facts for the supervisor's one banner. */
function announce(facts: BannerFacts): void {
  if (!reportReadyToSupervisor(facts)) printBanner(facts);
}

/** API_PROCESSES > 1 in a role that serves HTTP, in the process `npm start` started (not one it forked). */
function supervises(config: AppConfig): boolean {
  return config.role !== 'worker' && config.http.processes > 1 && cluster.isPrimary;
}

/** pino writes asynchronously: the banner comes after the start-up lines, not among them. */
function flushed(logger: RootLogger): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
}

function httpBannerFacts(app: NestFastifyApplication, config: AppConfig, port: number): BannerFacts {
  const fastify = app.getHttpAdapter().getInstance();
  return {
    role: config.role,
    http: {
      host: config.http.host,
      port,
      queueDashboard: fastify.hasRoute({ method: 'GET', url: '/admin/queues' }),
      // Listed only once a console is served: the banner never prints an address that 404s.
      console: ['/console', '/console/'].some((url) => fastify.hasRoute({ method: 'GET', url })),
    },
    generatedAdminKey: app.get(AdminKeyBootstrap, { strict: false }).takeGeneratedKey(),
  };
}
