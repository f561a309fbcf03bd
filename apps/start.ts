import { INestApplicationContext, Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, ConfigError, loadConfig, ProcessRole, resolveServices, StartupError } from '@strata/core';
import { Logger } from 'nestjs-pino';
import { createHttpApp } from './api/create-http-app';
import { AppModule } from './app.module';
import { closeOnSignals } from './shutdown';

/**
 * Boots Strata in the given role (or PROCESS_ROLE's): validates the configuration, resolves
 * PostgreSQL and Redis (starting embedded ones when none is configured or reachable), then
 * serves HTTP and/or consumes queues. Problems a user can fix end the process with one clear
 * message and exit code 1.
 */
export async function startStrata(role?: ProcessRole): Promise<void> {
  const startup = new NestLogger('Startup');
  try {
    const loaded = loadConfig();
    const services = await resolveServices(role ? loaded.with({ role }) : loaded, (line) => startup.log(line));
    const app = await boot(services.config);
    closeOnSignals(
      async () => {
        await app.close();
        await services.stop();
      },
      services.config.http.shutdownGraceMs,
      (line) => app.get(Logger).log(line),
    );
  } catch (error) {
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
