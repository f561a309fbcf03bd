import type { ProcessRole } from '@strata/core';
import { version } from '../package.json';

export interface BannerFacts {
  role: ProcessRole;
  /** Where the HTTP server listens (none in the worker role). */
  http?: { host: string; port: number; queueDashboard: boolean; console: boolean };
  /** An admin key generated at this boot: shown here once, never logged. */
  generatedAdminKey?: string;
  /** How many processes serve HTTP (API_PROCESSES), when more than one. */
  processes?: number;
}

/**
 * The lines a person looks for after `npm start`: what is running and where, in plain text.
 * Written straight to stdout (not through the logger), so LOG_LEVEL and LOG_FORMAT never hide
 * it and the admin key never reaches a log collector's JSON stream.
 */
export function bannerLines(facts: BannerFacts): string[] {
  if (!facts.http) return [`Strata ${version} is ready (role ${facts.role}): consuming queues, no HTTP server in this role`];
  const base = `http://${browsableHost(facts.http.host)}:${facts.http.port}`;
  const rows: [string, string][] = [
    ['API', `${base}/api/v1`],
    ['API docs', `${base}/docs`],
  ];
  if (facts.http.queueDashboard) rows.push(['Queues', `${base}/admin/queues`]);
  if (facts.http.console) rows.push(['Console', `${base}/console`]);
  if (facts.generatedAdminKey) rows.push(['Admin key', `${facts.generatedAdminKey}   (generated at this first boot and shown only this once: store it now)`]);
  const processes = facts.processes && facts.processes > 1 ? `, ${facts.processes} HTTP processes` : '';
  return [`Strata ${version} is ready (role ${facts.role}${processes})`, ...rows.map(([label, value]) => `  ${label.padEnd(10)} ${value}`)];
}

/** A wildcard bind address cannot be opened in a browser; loopback always reaches it. */
function browsableHost(host: string): string {
  if (host === '' || host === '0.0.0.0' || host === '::' || host === '[::]') return 'localhost';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export function printBanner(facts: BannerFacts): void {
  process.stdout.write(`\n${bannerLines(facts).join('\n')}\n\n`);
}
