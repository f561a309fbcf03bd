import { NestFactory } from '@nestjs/core';
import { AppConfig, ConfigError, loadConfig, ProcessRole } from '@strata/core';
import { Logger } from 'nestjs-pino';
import { createHttpApp } from './api/create-http-app';
import { AppModule } from './app.module';

/**
 * Boots Strata in the given role (or PROCESS_ROLE's). Configuration problems end the process
 * with one clear message and exit code 1, before anything is started.
 */
export async function startStrata(role?: ProcessRole): Promise<void> {
  let config: AppConfig;
  try {
    const loaded = loadConfig();
    config = role ? loaded.with({ role }) : loaded;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  if (config.role === 'worker') {
    const worker = await NestFactory.createApplicationContext(AppModule.forRoot(config), { bufferLogs: true });
    worker.useLogger(worker.get(Logger));
    worker.enableShutdownHooks();
    worker.get(Logger).log('Strata worker started');
    return;
  }

  const app = await createHttpApp(config);
  await app.listen(config.http.port, config.http.host);
  app.get(Logger).log(`Strata (${config.role}) listening on http://${config.http.host}:${config.http.port} — docs at /docs`);
}
