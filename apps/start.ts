import { INestApplicationContext, Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, ConfigError, loadConfig, ProcessRole, ResolvedServices, resolveServices, StartupError } from '@strata/core';
import { Logger } from 'nestjs-pino';
import { createHttpApp } from './api/create-http-app';
import { AppModule } from './app.module';
import { closeOnSignals } from './shutdown';

/**
 * Boots Strata in the given role (or PROCESS_ROLE's): validates the configuration, resolves
 * PostgreSQL and Redis (starting embedded ones when none is configured or reachable), then
 * serves HTTP and/or consumes queues. Problems a user can fix end the process with one clear
 * message and exit code 1.
 *
 * SIGTERM / SIGINT close the app first and only then stop embedded services, so in-flight
 * work can still reach them; the handlers are in place before anything starts, so a signal
 * during startup stops what has started so far.
 */
export async function startStrata(role?: ProcessRole): Promise<void> {
  const startup = new NestLogger('Startup');
  let app: INestApplicationContext | undefined;
  let services: ResolvedServices | undefined;
  try {
    const loaded = loadConfig();
    const config = role ? loaded.with({ role }) : loaded;
    closeOnSignals(
      async () => {
        await app?.close();
        await services?.stop();
      },
      config.http.shutdownGraceMs,
      (line) => (app ? app.get(Logger) : startup).log(line),
    );
    services = await resolveServices(config, (line) => startup.log(line));
    app = await boot(services.config);
  } catch (error) {
    await services?.stop();
    if (error instanceof ConfigError || error instanceof StartupError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

async function boot(config: AppConfig): Promise<INestApplicationContext> {
  if (config.role === 'worker') {
    const worker = await NestFactory.createApplicationContext(AppModule.forRoot(config), { bufferLogs: true });
    worker.useLogger(worker.get(Logger));
    worker.get(Logger).log('Strata worker started');
    return worker;
  }
  const app = await createHttpApp(config);
  await app.listen(config.http.port, config.http.host);
  app.get(Logger).log(`Strata (${config.role}) listening on http://${config.http.host}:${config.http.port}; API docs at /docs`);
  return app;
}
