import { Injectable } from '@nestjs/common';
import { Logger } from 'nestjs-pino';

/**
 * Nest's start-up chatter: a line per module initialised and per route mapped (about a hundred
 * at every boot). Useful when debugging routing, noise otherwise, so it is logged at debug.
 */
const STARTUP_DETAIL_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** nestjs-pino's Nest logger, with Nest's start-up detail moved from info to debug. */
@Injectable()
export class StrataNestLogger extends Logger {
  log(message: unknown, ...optionalParams: unknown[]): void {
    if (STARTUP_DETAIL_CONTEXTS.has(optionalParams.at(-1) as string)) this.debug(message, ...optionalParams);
    else super.log(message, ...optionalParams);
  }
}
